// META: global=window,worker
// META: title=URL and URLSearchParams
//
// Written from the WHATWG URL Standard: the URL parser (special and non-special
// schemes, hosts, IPv4/IPv6, percent-encode sets, file URLs), the URL class
// (getters, setters, canParse, parse, toJSON) and URLSearchParams with the
// application/x-www-form-urlencoded parser and serializer.
"use strict";

function parses(input, base) {
  try {
    return base === undefined ? new URL(input) : new URL(input, base);
  } catch (e) {
    return null;
  }
}

function checkHref(input, base, expected, name) {
  test(() => {
    const url = base === undefined ? new URL(input) : new URL(input, base);
    assert_equals(url.href, expected);
  }, name || `new URL(${JSON.stringify(input)}${base === undefined ? "" : ", " + JSON.stringify(base)}).href`);
}

function checkFailure(input, base, name) {
  test(() => {
    assert_throws_js(TypeError, () => (base === undefined ? new URL(input) : new URL(input, base)));
  }, name || `new URL(${JSON.stringify(input)}${base === undefined ? "" : ", " + JSON.stringify(base)}) throws TypeError`);
}

// ---------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------

test(() => {
  const url = new URL("https://user:pass@sub.example.com:8080/p/a/t/h.html?query=1&x#frag");
  assert_equals(url.href, "https://user:pass@sub.example.com:8080/p/a/t/h.html?query=1&x#frag");
  assert_equals(url.origin, "https://sub.example.com:8080");
  assert_equals(url.protocol, "https:");
  assert_equals(url.username, "user");
  assert_equals(url.password, "pass");
  assert_equals(url.host, "sub.example.com:8080");
  assert_equals(url.hostname, "sub.example.com");
  assert_equals(url.port, "8080");
  assert_equals(url.pathname, "/p/a/t/h.html");
  assert_equals(url.search, "?query=1&x");
  assert_equals(url.hash, "#frag");
  assert_true(url.searchParams instanceof URLSearchParams);
  assert_equals(url.searchParams.get("query"), "1");
}, "All components of a full special URL");

test(() => {
  const url = new URL("http://example.com");
  assert_equals(url.href, "http://example.com/", "an empty path becomes /");
  assert_equals(url.pathname, "/");
  assert_equals(url.search, "");
  assert_equals(url.hash, "");
  assert_equals(url.username, "");
  assert_equals(url.password, "");
  assert_equals(url.port, "");
}, "Empty components are empty strings; special URLs always have a path");

test(() => {
  const url = new URL("http://a/?");
  assert_equals(url.search, "", "search");
  assert_equals(url.href, "http://a/?", "href keeps the empty query");
  const url2 = new URL("http://a/#");
  assert_equals(url2.hash, "");
  assert_equals(url2.href, "http://a/#");
}, "An empty query or fragment: the getter is empty but href keeps ? or #");

test(() => {
  const url = new URL("HTTP://EXAMPLE.COM/Path?Query#Frag");
  assert_equals(url.href, "http://example.com/Path?Query#Frag");
}, "Scheme and host are lowercased, the rest is not");

test(() => {
  const url = new URL("https://user:pw@example.com/");
  assert_equals(url.origin, "https://example.com", "no credentials in origin");
}, "origin does not include credentials");

test(() => {
  for (const [input, origin] of [
    ["foo://host/path", "null"],
    ["mailto:someone@example.com", "null"],
    ["data:text/plain,hi", "null"],
    ["blob:https://example.com:444/uuid", "https://example.com:444"],
    ["ws://example.com/", "ws://example.com"],
    ["wss://example.com:443/", "wss://example.com"],
    ["ftp://example.com:21/", "ftp://example.com"],
  ]) {
    assert_equals(new URL(input).origin, origin, input);
  }
}, "origin of special, non-special and blob URLs");

// ---------------------------------------------------------------------------
// Relative URLs
// ---------------------------------------------------------------------------

checkHref("../x?y#z", "https://a.com/b/c/d", "https://a.com/b/x?y#z");
checkHref("x", "https://a.com/b/c", "https://a.com/b/x");
checkHref("/x", "https://a.com/b/c?q#f", "https://a.com/x");
checkHref("?new", "https://a.com/b/c?q#f", "https://a.com/b/c?new");
checkHref("#new", "https://a.com/b/c?q#f", "https://a.com/b/c?q#new");
checkHref("", "https://a.com/b/c?q#f", "https://a.com/b/c?q",
  "An empty input resolves to the base without its fragment");
checkHref("//other.com/p", "https://a.com/x", "https://other.com/p",
  "A scheme-relative URL keeps the base scheme");
checkHref("http://abs.com/", "https://a.com/", "http://abs.com/",
  "An absolute URL ignores the base");
checkHref("../../../../x", "http://a/b/c", "http://a/x", "Going above the root stays at the root");
checkHref("http:x", "http://a/b/c", "http://a/b/x",
  "A special relative URL with the same scheme as the base is relative");

test(() => {
  const base = new URL("https://a.com/dir/file");
  assert_equals(new URL("other", base).href, "https://a.com/dir/other");
}, "The base can be a URL object");

checkFailure("relative/path", undefined, "A relative URL without a base throws TypeError");
checkFailure("x", "not a url", "An invalid base throws TypeError");
checkFailure("x", "mailto:a@b", "A relative URL against a base with an opaque path throws");
checkHref("#frag", "mailto:a@b", "mailto:a@b#frag",
  "A fragment-only URL against an opaque-path base works");

test(() => {
  assert_throws_js(TypeError, () => new URL());
  assert_throws_js(TypeError, () => URL("http://a/"));
}, "URL requires an argument and new");

// ---------------------------------------------------------------------------
// Ports
// ---------------------------------------------------------------------------

test(() => {
  for (const input of ["http://a:80/", "https://a:443/", "ws://a:80/", "wss://a:443/", "ftp://a:21/"]) {
    const url = new URL(input);
    assert_equals(url.port, "", input);
    assert_equals(url.host, "a", input);
  }
}, "The default port of a special scheme is elided");

test(() => {
  assert_equals(new URL("http://a:443/").port, "443");
  assert_equals(new URL("https://a:80/").port, "80");
  assert_equals(new URL("foo://a:80/").port, "80", "non-special schemes have no default port");
}, "A non-default port is kept");

checkHref("http://a:0080/", undefined, "http://a/", "Leading zeros in a port are dropped (0080 is the default)");
checkHref("http://a:08080/", undefined, "http://a:8080/");
checkHref("http://a:/", undefined, "http://a/", "An empty port is allowed");
checkHref("http://a:65535/", undefined, "http://a:65535/");
checkFailure("http://a:65536/", undefined, "A port above 65535 throws TypeError");
checkFailure("http://a:8a/", undefined, "A non-digit in the port throws TypeError");

// ---------------------------------------------------------------------------
// Hosts
// ---------------------------------------------------------------------------

checkHref("https://münchen.de/", undefined, "https://xn--mnchen-3ya.de/", "IDNA: a Unicode host becomes punycode");
checkHref("https://faß.de/", undefined, "https://xn--fa-hia.de/", "IDNA: non-transitional processing keeps ß");
checkHref("http://ｅｘａｍｐｌｅ.com/", undefined, "http://example.com/", "IDNA: full-width characters are mapped");
checkHref("http://EXAMPLE.xn--mnchen-3ya.DE/", undefined, "http://example.xn--mnchen-3ya.de/", "An ASCII punycode host is lowercased");
checkHref("http://ex%61mple.com/", undefined, "http://example.com/", "A percent-encoded host is decoded");

test(() => {
  assert_equals(new URL("https://münchen.de/").hostname, "xn--mnchen-3ya.de");
}, "hostname getter returns the ASCII (punycode) host");

checkFailure("http://a b/", undefined, "A space in the host throws TypeError");
checkFailure("http://a%20b/", undefined, "A percent-encoded space in the host throws TypeError");
checkFailure("http://a<b/", undefined, "A forbidden host code point throws TypeError");
checkFailure("http:", undefined, "A special URL without a host throws TypeError");
checkFailure("http://user@/", undefined, "Credentials without a host throw TypeError");
checkFailure("http://xn--/", undefined, "An invalid punycode label throws TypeError");

checkHref("http:/a", undefined, "http://a/", "Special URLs ignore missing or extra slashes before the host");
checkHref("http:////a/b", undefined, "http://a/b");
checkHref("http:\\\\a\\b\\c", undefined, "http://a/b/c", "In special URLs a backslash is a slash");
checkHref("  http://a/b\t\nc\r  ", undefined, "http://a/bc",
  "Leading/trailing spaces are stripped, tabs and newlines removed");

// IPv4
checkHref("http://192.168.0.1/", undefined, "http://192.168.0.1/");
checkHref("http://0x7f.1/", undefined, "http://127.0.0.1/", "IPv4: hexadecimal parts and short forms");
checkHref("http://2130706433/", undefined, "http://127.0.0.1/", "IPv4: a single 32-bit number");
checkHref("http://127.1/", undefined, "http://127.0.0.1/", "IPv4: two parts");
checkHref("http://0300.0250.0.1/", undefined, "http://192.168.0.1/", "IPv4: octal parts");
checkHref("http://192.168.0.1./", undefined, "http://192.168.0.1/", "IPv4: a trailing dot is allowed");
checkFailure("http://256.0.0.1/", undefined, "IPv4: a part above 255 (not last) throws");
checkFailure("http://1.2.3.4.5/", undefined, "IPv4: more than four parts throws");
checkFailure("http://4294967296/", undefined, "IPv4: a number above 2^32-1 throws");
checkHref("foo://0x7f.1/", undefined, "foo://0x7f.1/", "Non-special URLs do not parse IPv4 hosts");

// IPv6
checkHref("http://[::1]/", undefined, "http://[::1]/");
checkHref("http://[0:0:0:0:0:0:0:1]/", undefined, "http://[::1]/", "IPv6: the longest run of zeros is compressed");
checkHref("http://[2001:DB8::1]/", undefined, "http://[2001:db8::1]/", "IPv6: lowercase hex");
checkHref("http://[1:0:0:2:0:0:0:3]/", undefined, "http://[1:0:0:2::3]/", "IPv6: the longest zero run wins");
checkHref("http://[1:0:0:2:0:0:3:4]/", undefined, "http://[1::2:0:0:3:4]/", "IPv6: the first of equal zero runs wins");
checkHref("http://[1:0:2:3:4:5:6:7]/", undefined, "http://[1:0:2:3:4:5:6:7]/", "IPv6: a single zero is not compressed");
checkHref("http://[0001:0db8::0001]/", undefined, "http://[1:db8::1]/", "IPv6: leading zeros are dropped");
checkHref("http://[::ffff:192.168.0.1]/", undefined, "http://[::ffff:c0a8:1]/", "IPv6: embedded IPv4 is serialized as hex");
checkFailure("http://[::1::]/", undefined, "IPv6: two :: throws");
checkFailure("http://[::1/", undefined, "IPv6: a missing ] throws");
checkFailure("http://[1:2:3:4:5:6:7:8:9]/", undefined, "IPv6: too many pieces throws");

test(() => {
  const url = new URL("http://[::1]:8080/");
  assert_equals(url.hostname, "[::1]");
  assert_equals(url.host, "[::1]:8080");
  assert_equals(url.port, "8080");
}, "IPv6 hostname keeps the brackets");

// ---------------------------------------------------------------------------
// Percent-encoding
// ---------------------------------------------------------------------------

checkHref("http://a/b c/ä", undefined, "http://a/b%20c/%C3%A4", "Path: space and non-ASCII are percent-encoded (UTF-8)");
checkHref("http://a/{}`\"<>", undefined, "http://a/%7B%7D%60%22%3C%3E", "Path percent-encode set");
checkHref("http://a/%41%zz%", undefined, "http://a/%41%zz%", "Existing % sequences are kept, even invalid ones");
checkHref("http://a/?a b\"<>'", undefined, "http://a/?a%20b%22%3C%3E%27", "Special query percent-encode set (includes ')");
checkHref("foo://a/?'", undefined, "foo://a/?'", "The ' is not encoded in non-special queries");
checkHref("http://a/?`{}", undefined, "http://a/?`{}", "Query: ` { } are not encoded");
checkHref("http://a/#a b`<>\"", undefined, "http://a/#a%20b%60%3C%3E%22", "Fragment percent-encode set");
checkHref("http://a/?\u{1F600}#\u{1F600}", undefined, "http://a/?%F0%9F%98%80#%F0%9F%98%80", "Astral characters in query and fragment");
checkHref("http://a/\uD800", undefined, "http://a/%EF%BF%BD", "A lone surrogate becomes U+FFFD (USVString)");

test(() => {
  const url = new URL("http://a/path?q#f#g");
  assert_equals(url.hash, "#f#g");
  assert_equals(url.search, "?q");
}, "Only the first # starts the fragment");

// ---------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------

checkHref("http://a/b/./c/../d", undefined, "http://a/b/d", "Dot segments are removed");
checkHref("http://a/b/%2e%2E/c", undefined, "http://a/c", "Percent-encoded dots count as dot segments");
checkHref("http://a/b/..", undefined, "http://a/", "A trailing .. keeps the trailing slash");
checkHref("http://a/b/.", undefined, "http://a/b/");
checkHref("foo://host/a\\b", undefined, "foo://host/a\\b", "In non-special URLs a backslash is not a separator");

// ---------------------------------------------------------------------------
// Non-special URLs and opaque paths
// ---------------------------------------------------------------------------

test(() => {
  const url = new URL("foo://HoSt:99/p?q#f");
  assert_equals(url.protocol, "foo:");
  assert_equals(url.host, "HoSt:99", "opaque host: case kept");
  assert_equals(url.pathname, "/p");
  assert_equals(url.origin, "null");
}, "Non-special URL with an opaque host");

test(() => {
  const url = new URL("mailto:User@Example.com?subject=hi");
  assert_equals(url.protocol, "mailto:");
  assert_equals(url.host, "");
  assert_equals(url.hostname, "");
  assert_equals(url.pathname, "User@Example.com");
  assert_equals(url.search, "?subject=hi");
}, "URL with an opaque path");

test(() => {
  const url = new URL("data:text/plain,hi there  ");
  assert_equals(url.pathname, "text/plain,hi there", "trailing spaces stripped, inner space kept");
  assert_equals(url.href, "data:text/plain,hi there");
}, "data: URL: spaces inside the opaque path are kept");

test(() => {
  const url = new URL("foo:");
  assert_equals(url.href, "foo:");
  assert_equals(url.pathname, "");
}, "A non-special URL can have an empty path");

checkHref("non-spec:/.//p", undefined, "non-spec:/.//p", "A path starting with // is protected by /.");
checkFailure("1foo://a/", undefined, "A scheme must start with an ASCII letter");
checkHref("a+b-c.d://x/", undefined, "a+b-c.d://x/", "Scheme may contain + - .");

// ---------------------------------------------------------------------------
// file: URLs
// ---------------------------------------------------------------------------

test(() => {
  const url = new URL("file:///C:/dir/file.txt");
  assert_equals(url.protocol, "file:");
  assert_equals(url.host, "");
  assert_equals(url.pathname, "/C:/dir/file.txt");
}, "file URL with an empty host");

checkHref("file://localhost/etc/x", undefined, "file:///etc/x", "file: localhost becomes the empty host");
checkHref("file:/etc/passwd", undefined, "file:///etc/passwd", "file: a single slash");
checkHref("file:///C|/x", undefined, "file:///C:/x", "file: C| is normalized to C:");
checkHref("/y", "file:///C:/x", "file:///C:/y", "file: an absolute path keeps the base drive letter");
checkHref("../b", "file:///a/c/d", "file:///a/b", "file: relative path");
checkHref("file://HOST/share", undefined, "file://host/share", "file: a host is lowercased");

test(() => {
  const url = new URL("file:///tmp/x");
  url.port = "8080";
  assert_equals(url.port, "", "file URLs cannot have a port");
  url.username = "u";
  assert_equals(url.username, "", "file URLs cannot have credentials");
}, "file URLs cannot have port or credentials");

// ---------------------------------------------------------------------------
// URL.canParse and URL.parse
// ---------------------------------------------------------------------------

test(() => {
  assert_true(URL.canParse("https://a/"));
  assert_true(URL.canParse("x", "https://a/"));
  assert_false(URL.canParse("x"));
  assert_false(URL.canParse("http://a b/"));
  assert_false(URL.canParse("x", "not a url"));
  assert_true(URL.canParse("x", new URL("https://a/")));
  assert_false(URL.canParse("x", undefined));
}, "URL.canParse()");

test(() => {
  assert_throws_js(TypeError, () => URL.canParse());
}, "URL.canParse() requires an argument");

test(() => {
  const url = URL.parse("../x", "https://a/b/c");
  assert_true(url instanceof URL);
  assert_equals(url.href, "https://a/x");
  assert_equals(URL.parse("x"), null);
  assert_equals(URL.parse("http://a b/"), null);
  assert_equals(URL.parse("x", "bad base"), null);
}, "URL.parse() returns a URL or null");

test(() => {
  const a = URL.parse("https://a/");
  const b = URL.parse("https://a/");
  assert_not_equals(a, b);
}, "URL.parse() returns a new object each time");

// ---------------------------------------------------------------------------
// Setters
// ---------------------------------------------------------------------------

test(() => {
  const url = new URL("http://a/p");
  url.protocol = "https";
  assert_equals(url.href, "https://a/p");
  url.protocol = "wss:";
  assert_equals(url.protocol, "wss:", "a trailing : is accepted");
  url.protocol = "HTTP:ignored";
  assert_equals(url.protocol, "http:", "lowercased; input after : is ignored");
}, "protocol setter between special schemes");

test(() => {
  const url = new URL("http://a/p");
  url.protocol = "foo";
  assert_equals(url.protocol, "http:", "special to non-special is not allowed");
  const other = new URL("foo://a/p");
  other.protocol = "http";
  assert_equals(other.protocol, "foo:", "non-special to special is not allowed");
  other.protocol = "bar";
  assert_equals(other.protocol, "bar:", "non-special to non-special is allowed");
}, "protocol setter cannot switch between special and non-special");

test(() => {
  const url = new URL("http://a/");
  url.protocol = "1http";
  assert_equals(url.protocol, "http:");
  url.protocol = "";
  assert_equals(url.protocol, "http:");
  url.protocol = "ht tp";
  assert_equals(url.protocol, "http:");
}, "protocol setter ignores invalid schemes");

test(() => {
  const url = new URL("http://a:443/");
  url.protocol = "https";
  assert_equals(url.href, "https://a/");
  assert_equals(url.port, "");
}, "protocol setter: a port that becomes the default is removed");

test(() => {
  const withCredentials = new URL("http://u@host/");
  withCredentials.protocol = "file";
  assert_equals(withCredentials.protocol, "http:", "credentials prevent becoming file:");
  const withPort = new URL("http://host:81/");
  withPort.protocol = "file";
  assert_equals(withPort.protocol, "http:", "a port prevents becoming file:");
  const plain = new URL("http://host/p");
  plain.protocol = "file";
  assert_equals(plain.href, "file://host/p", "otherwise allowed");
  const file = new URL("file:///p");
  file.protocol = "http";
  assert_equals(file.protocol, "file:", "a file URL with an empty host cannot become http:");
}, "protocol setter rules for file:");

test(() => {
  const url = new URL("http://a/");
  url.username = "a b@c:d";
  url.password = "p@ss:w/";
  assert_equals(url.username, "a%20b%40c%3Ad");
  assert_equals(url.password, "p%40ss%3Aw%2F");
  assert_equals(url.href, "http://a%20b%40c%3Ad:p%40ss%3Aw%2F@a/");
}, "username and password setters percent-encode with the userinfo set");

test(() => {
  const url = new URL("http://u:p@a/");
  url.password = "";
  assert_equals(url.href, "http://u@a/", "an empty password drops the :");
  url.username = "";
  assert_equals(url.href, "http://a/", "no credentials at all drops the @");
}, "Clearing credentials");

test(() => {
  const url = new URL("mailto:x@y");
  url.username = "u";
  url.password = "p";
  assert_equals(url.href, "mailto:x@y");
}, "Credentials cannot be set on a URL without a host");

test(() => {
  const url = new URL("http://a:1/p");
  url.host = "b.com:81";
  assert_equals(url.href, "http://b.com:81/p");
  url.host = "c.com";
  assert_equals(url.href, "http://c.com:81/p", "port kept when the new host has none");
  url.host = "d.com:80";
  assert_equals(url.href, "http://d.com/p", "default port elided");
}, "host setter");

test(() => {
  const url = new URL("http://a/p");
  url.host = "";
  assert_equals(url.host, "a", "special URLs cannot have an empty host");
  url.host = "b c";
  assert_equals(url.host, "a", "invalid host ignored");
  url.host = "MÜNCHEN.de";
  assert_equals(url.host, "xn--mnchen-3ya.de", "host setter applies IDNA");
}, "host setter ignores invalid hosts and applies IDNA");

test(() => {
  const url = new URL("http://a:8080/p");
  url.hostname = "b.com";
  assert_equals(url.href, "http://b.com:8080/p");
  url.hostname = "c.com:99";
  assert_equals(url.href, "http://b.com:8080/p", "a hostname with a port is ignored");
}, "hostname setter changes only the hostname");

test(() => {
  const url = new URL("http://a/");
  url.port = "8080";
  assert_equals(url.port, "8080");
  url.port = "80";
  assert_equals(url.port, "", "the default port becomes empty");
  url.port = "8080";
  url.port = "";
  assert_equals(url.port, "", "empty string removes the port");
  assert_equals(url.href, "http://a/");
}, "port setter");

test(() => {
  const url = new URL("http://a:1/");
  url.port = "12abc";
  assert_equals(url.port, "12", "digits before the first non-digit are used");
  url.port = "abc";
  assert_equals(url.port, "12", "no leading digit: ignored");
  url.port = "99999";
  assert_equals(url.port, "12", "out of range: ignored");
  url.port = 443;
  assert_equals(url.port, "443", "numbers are converted to strings");
}, "port setter parsing rules");

test(() => {
  const url = new URL("http://a/x?q#f");
  url.pathname = "/a b/ä";
  assert_equals(url.pathname, "/a%20b/%C3%A4");
  url.pathname = "no-slash";
  assert_equals(url.pathname, "/no-slash", "special URLs get a leading slash");
  url.pathname = "/a/../b/./c";
  assert_equals(url.pathname, "/b/c", "dot segments resolved");
  url.pathname = "?#";
  assert_equals(url.pathname, "/%3F%23", "? and # are encoded in the pathname setter");
  assert_equals(url.search, "?q");
  assert_equals(url.hash, "#f");
}, "pathname setter");

test(() => {
  const url = new URL("mailto:a@b");
  url.pathname = "c@d";
  assert_equals(url.pathname, "a@b");
}, "pathname setter does nothing on an opaque path");

test(() => {
  const url = new URL("http://a/p#f");
  url.search = "q=1";
  assert_equals(url.search, "?q=1");
  url.search = "?r=2";
  assert_equals(url.search, "?r=2", "a leading ? is stripped");
  url.search = "a b";
  assert_equals(url.search, "?a%20b", "encoded");
  assert_equals(url.hash, "#f");
  url.search = "";
  assert_equals(url.search, "");
  assert_equals(url.href, "http://a/p#f", "empty search removes the ?");
  url.search = "?";
  assert_equals(url.href, "http://a/p?#f", "a lone ? gives an empty query");
}, "search setter");

test(() => {
  const url = new URL("http://a/p?q");
  url.hash = "frag";
  assert_equals(url.hash, "#frag");
  url.hash = "#x y";
  assert_equals(url.hash, "#x%20y");
  url.hash = "";
  assert_equals(url.href, "http://a/p?q", "empty hash removes the #");
  url.hash = "#";
  assert_equals(url.href, "http://a/p?q#");
}, "hash setter");

test(() => {
  const url = new URL("http://a/");
  url.href = "https://b/c?d#e";
  assert_equals(url.host, "b");
  assert_equals(url.pathname, "/c");
  assert_equals(url.searchParams.get("d"), "");
  assert_throws_js(TypeError, () => { url.href = "not a url"; });
  assert_equals(url.href, "https://b/c?d#e", "unchanged after a failed set");
}, "href setter parses a new URL or throws TypeError");

test(() => {
  const url = new URL("http://a/");
  assert_throws_js(TypeError, () => { url.origin = "http://b"; });
  assert_throws_js(TypeError, () => { url.searchParams = new URLSearchParams(); });
}, "origin and searchParams are readonly");

// ---------------------------------------------------------------------------
// Serialization and interface shape
// ---------------------------------------------------------------------------

test(() => {
  const url = new URL("https://a/b?c#d");
  assert_equals(url.toString(), url.href);
  assert_equals(String(url), url.href);
  assert_equals(url.toJSON(), url.href);
  assert_equals(JSON.stringify({ u: url }), '{"u":"https://a/b?c#d"}');
}, "toString(), toJSON() and JSON.stringify");

test(() => {
  const url = new URL("https://a/");
  assert_array_equals(Object.keys(url), [], "no own enumerable properties");
  for (const name of ["href", "origin", "protocol", "username", "password", "host", "hostname",
                      "port", "pathname", "search", "searchParams", "hash"]) {
    const d = Object.getOwnPropertyDescriptor(URL.prototype, name);
    assert_not_equals(d, undefined, name);
    assert_equals(typeof d.get, "function", name);
  }
  assert_equals(Object.prototype.toString.call(url), "[object URL]");
}, "URL attributes are accessors on URL.prototype");

test(() => {
  const url = new URL("https://a/");
  const copy = new URL(url);
  assert_not_equals(copy, url);
  assert_equals(copy.href, url.href);
}, "new URL(url) stringifies its argument");

// ---------------------------------------------------------------------------
// searchParams <-> search link
// ---------------------------------------------------------------------------

test(() => {
  const url = new URL("http://a/?x=1");
  assert_equals(url.searchParams, url.searchParams, "same object");
  url.searchParams.append("y", "a b");
  assert_equals(url.search, "?x=1&y=a+b");
  assert_equals(url.href, "http://a/?x=1&y=a+b");
}, "Modifying searchParams updates the URL");

test(() => {
  const url = new URL("http://a/?x=1");
  const params = url.searchParams;
  url.search = "?z=%20";
  assert_equals(params.get("z"), " ");
  assert_false(params.has("x"));
  url.href = "http://b/?w=2";
  assert_equals(params.get("w"), "2");
}, "Changing search or href updates searchParams");

test(() => {
  const url = new URL("http://a/?x=1#f");
  url.searchParams.delete("x");
  assert_equals(url.search, "");
  assert_equals(url.href, "http://a/#f", "an empty list removes the ?");
}, "Emptying searchParams removes the query");

test(() => {
  const url = new URL("http://a/?a=b%20c&d=e+f");
  url.searchParams.sort();
  assert_equals(url.search, "?a=b+c&d=e+f", "re-serialized with the form encoder");
}, "searchParams re-serializes the query when modified");

test(() => {
  const url = new URL("http://a/?%zz=%");
  assert_equals(url.searchParams.get("%zz"), "%");
  assert_equals(url.search, "?%zz=%", "reading does not re-serialize");
}, "Reading searchParams does not change the query");

// ---------------------------------------------------------------------------
// URLSearchParams
// ---------------------------------------------------------------------------

test(() => {
  const params = new URLSearchParams();
  assert_equals(params.toString(), "");
  assert_equals(params.size, 0);
  assert_equals(new URLSearchParams("").toString(), "");
  assert_equals(new URLSearchParams(undefined).size, 0);
}, "new URLSearchParams() is empty");

test(() => {
  const params = new URLSearchParams("?a=1&b=2");
  assert_equals(params.get("a"), "1");
  assert_equals(params.get("b"), "2");
  assert_false(params.has("?a"));
  assert_equals(new URLSearchParams("??a=1").get("?a"), "1", "only one ? is stripped");
}, "A leading ? is stripped from a string");

test(() => {
  const params = new URLSearchParams("a=1&&b&=c&d=e=f&");
  assert_array_equals([...params].map((p) => p.join(":")), ["a:1", "b:", ":c", "d:e=f"]);
}, "Form-urlencoded parsing: empty sequences skipped, missing = means empty value");

test(() => {
  const params = new URLSearchParams("a=b+c&d=%20&e=%2B&f=%C3%A4&g=%F0%9F%98%80");
  assert_equals(params.get("a"), "b c", "+ is a space");
  assert_equals(params.get("d"), " ");
  assert_equals(params.get("e"), "+");
  assert_equals(params.get("f"), "ä");
  assert_equals(params.get("g"), "\u{1F600}");
}, "Parsing decodes + and percent sequences as UTF-8");

test(() => {
  const params = new URLSearchParams("a=%zz&b=%&c=%4&d=%FF&e=%C3");
  assert_equals(params.get("a"), "%zz");
  assert_equals(params.get("b"), "%");
  assert_equals(params.get("c"), "%4");
  assert_equals(params.get("d"), "\uFFFD", "invalid UTF-8 becomes U+FFFD");
  assert_equals(params.get("e"), "\uFFFD");
}, "Invalid percent sequences are kept as they are");

test(() => {
  const params = new URLSearchParams({ a: "1", b: "x y", "c d": "" });
  assert_equals(params.toString(), "a=1&b=x+y&c+d=");
}, "Constructor from a record");

test(() => {
  const params = new URLSearchParams([["a", "1"], ["a", "2"], ["b", 3]]);
  assert_array_equals(params.getAll("a"), ["1", "2"]);
  assert_equals(params.get("b"), "3");
}, "Constructor from a sequence of pairs");

test(() => {
  const params = new URLSearchParams(new Map([["m", "1"], ["n", "2"]]));
  assert_equals(params.toString(), "m=1&n=2");
  const copy = new URLSearchParams(params);
  copy.append("o", "3");
  assert_equals(params.toString(), "m=1&n=2", "the copy is independent");
  assert_equals(copy.toString(), "m=1&n=2&o=3");
}, "Constructor from any iterable of pairs, including another URLSearchParams");

test(() => {
  assert_throws_js(TypeError, () => new URLSearchParams([["a"]]));
  assert_throws_js(TypeError, () => new URLSearchParams([["a", "b", "c"]]));
  assert_throws_js(TypeError, () => new URLSearchParams([[]]));
  assert_throws_js(TypeError, () => new URLSearchParams(["ab"]), "a string is not a sequence");
  assert_throws_js(TypeError, () => new URLSearchParams([1]));
}, "Constructor throws TypeError for pairs that do not have exactly two items");

test(() => {
  assert_equals(new URLSearchParams(123).toString(), "123=");
  assert_equals(new URLSearchParams(true).toString(), "true=");
}, "A non-object init is converted to a string");

test(() => {
  assert_equals(new URLSearchParams(null).toString(), "null=");
}, "A null init is converted to the string \"null\" (the union has no nullable or dictionary member)");

test(() => {
  const params = new URLSearchParams("a=1");
  params.append("a", "2");
  params.append("b", "3");
  assert_equals(params.toString(), "a=1&a=2&b=3");
  assert_equals(params.get("a"), "1", "get returns the first");
  assert_array_equals(params.getAll("a"), ["1", "2"]);
  assert_equals(params.get("missing"), null);
  assert_array_equals(params.getAll("missing"), []);
}, "append(), get(), getAll()");

test(() => {
  const params = new URLSearchParams("a=1&b=2&a=3");
  assert_true(params.has("a"));
  assert_false(params.has("c"));
  assert_true(params.has("a", "3"), "has(name, value)");
  assert_false(params.has("a", "2"));
  assert_true(params.has("a", undefined), "undefined value means any");
}, "has() with and without a value");

test(() => {
  const params = new URLSearchParams("a=1&b=2&a=3&a=1");
  params.delete("a", "1");
  assert_equals(params.toString(), "b=2&a=3", "delete(name, value) removes only matching pairs");
  params.delete("a");
  assert_equals(params.toString(), "b=2");
  params.delete("nothing");
  assert_equals(params.toString(), "b=2");
  params.append("c", "x");
  params.delete("c", undefined);
  assert_equals(params.toString(), "b=2", "undefined value deletes all");
}, "delete() with and without a value");

test(() => {
  const params = new URLSearchParams("a=1&b=2&a=3&c=4");
  params.set("a", "new");
  assert_equals(params.toString(), "a=new&b=2&c=4", "first kept in place, others removed");
  params.set("d", "5");
  assert_equals(params.toString(), "a=new&b=2&c=4&d=5", "appended when missing");
}, "set()");

test(() => {
  const params = new URLSearchParams("z=1&a=2&z=0&a=1&b=");
  params.sort();
  assert_equals(params.toString(), "a=2&a=1&b=&z=1&z=0");
}, "sort() orders by name and is stable");

test(() => {
  const params = new URLSearchParams();
  params.append("\uFFFD", "x");
  params.append("\u{1F600}", "y");
  params.append("\u00E9", "z");
  params.append("e", "w");
  params.sort();
  assert_array_equals([...params.keys()], ["e", "\u00E9", "\u{1F600}", "\uFFFD"]);
}, "sort() compares UTF-16 code units (a surrogate pair sorts before U+FFFD)");

test(() => {
  const params = new URLSearchParams();
  params.append("q", " !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
  assert_equals(params.toString(),
    "q=+%21%22%23%24%25%26%27%28%29*%2B%2C-.%2F%3A%3B%3C%3D%3E%3F%40%5B%5C%5D%5E_%60%7B%7C%7D%7E");
}, "toString(): space is +, only alphanumerics and *-._ are left unescaped");

test(() => {
  const params = new URLSearchParams();
  params.append("k\u00E4", "\u{1F600}");
  params.append("lone", "\uD800");
  assert_equals(params.toString(), "k%C3%A4=%F0%9F%98%80&lone=%EF%BF%BD");
}, "toString() encodes as UTF-8; lone surrogates become U+FFFD");

test(() => {
  const params = new URLSearchParams("a=1&b=2");
  assert_equals(String(params), "a=1&b=2");
  assert_equals(`${params}`, "a=1&b=2");
}, "URLSearchParams stringifies via toString()");

test(() => {
  const params = new URLSearchParams("a=1&b=2&a=3");
  assert_equals(params.size, 3);
  params.delete("a");
  assert_equals(params.size, 1);
}, "size counts all pairs");

test(() => {
  const params = new URLSearchParams("b=1&a=2&b=3");
  assert_array_equals([...params.keys()], ["b", "a", "b"]);
  assert_array_equals([...params.values()], ["1", "2", "3"]);
  assert_array_equals([...params.entries()].map((e) => e.join("=")), ["b=1", "a=2", "b=3"]);
  assert_equals(params[Symbol.iterator], params.entries, "@@iterator is entries");
}, "Iteration follows insertion order");

test(() => {
  const params = new URLSearchParams("a=1&b=2");
  const seen = [];
  params.forEach(function (value, key, parent) {
    seen.push([key, value, parent === params, this]);
  }, "thisArg");
  assert_equals(seen.length, 2);
  assert_array_equals(seen[0].slice(0, 3), ["a", "1", true]);
  assert_equals(seen[0][3], "thisArg");
  assert_array_equals(seen[1].slice(0, 2), ["b", "2"]);
}, "forEach(callback, thisArg)");

test(() => {
  const params = new URLSearchParams("a=1&b=2&c=3");
  const seen = [];
  for (const [k] of params) {
    seen.push(k);
    if (k === "a") params.delete("a");
  }
  assert_array_equals(seen, ["a", "c"], "the iterator is live over the list");
}, "Iterators are live");

test(() => {
  const params = new URLSearchParams();
  params.append(1, null);
  params.append(undefined, true);
  assert_equals(params.toString(), "1=null&undefined=true");
}, "Names and values are converted to strings");

test(() => {
  const params = new URLSearchParams();
  assert_throws_js(TypeError, () => params.append("a"));
  assert_throws_js(TypeError, () => params.set("a"));
  assert_throws_js(TypeError, () => params.get());
}, "Missing required arguments throw TypeError");

test(() => {
  assert_equals(Object.prototype.toString.call(new URLSearchParams()), "[object URLSearchParams]");
  assert_equals(Object.prototype.toString.call(new URLSearchParams().keys()), "[object URLSearchParams Iterator]");
  assert_throws_js(TypeError, () => URLSearchParams());
}, "URLSearchParams interface shape");
