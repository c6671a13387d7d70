//! The JavaScript half of a realm's globals, evaluated into every new realm in order.
//!
//! Each file is one function expression, `(function (ops, internals) { ... })`, called
//! with the host functions ([`crate::ops`]) and an object the files share among
//! themselves (for instance the exception reporting of `report.js`, used by events and
//! timers). Neither is reachable from page scripts afterwards.

/// (file name for stack traces, source), in evaluation order.
pub(crate) const FILES: &[(&str, &str)] = &[
    ("kpio:webidl.js", include_str!("../js/webidl.js")),
    (
        "kpio:dom_exception.js",
        include_str!("../js/dom_exception.js"),
    ),
    ("kpio:event.js", include_str!("../js/event.js")),
    ("kpio:abort.js", include_str!("../js/abort.js")),
    ("kpio:global.js", include_str!("../js/global.js")),
    ("kpio:report.js", include_str!("../js/report.js")),
    ("kpio:console.js", include_str!("../js/console.js")),
    ("kpio:timers.js", include_str!("../js/timers.js")),
    (
        "kpio:host_messages.js",
        include_str!("../js/host_messages.js"),
    ),
    ("kpio:rejections.js", include_str!("../js/rejections.js")),
    ("kpio:base64.js", include_str!("../js/base64.js")),
    (
        "kpio:structured_clone.js",
        include_str!("../js/structured_clone.js"),
    ),
    ("kpio:url.js", include_str!("../js/url.js")),
    ("kpio:location.js", include_str!("../js/location.js")),
    ("kpio:navigator.js", include_str!("../js/navigator.js")),
    ("kpio:encoding.js", include_str!("../js/encoding.js")),
    ("kpio:storage.js", include_str!("../js/storage.js")),
    (
        "kpio:storage_manager.js",
        include_str!("../js/storage_manager.js"),
    ),
    ("kpio:headers.js", include_str!("../js/headers.js")),
    ("kpio:streams.js", include_str!("../js/streams.js")),
    ("kpio:mime_type.js", include_str!("../js/mime_type.js")),
    ("kpio:blob.js", include_str!("../js/blob.js")),
    ("kpio:form_data.js", include_str!("../js/form_data.js")),
    ("kpio:multipart.js", include_str!("../js/multipart.js")),
    (
        "kpio:progress_event.js",
        include_str!("../js/progress_event.js"),
    ),
    ("kpio:file_reader.js", include_str!("../js/file_reader.js")),
    (
        "kpio:request_response.js",
        include_str!("../js/request_response.js"),
    ),
    ("kpio:fetch.js", include_str!("../js/fetch.js")),
    (
        "kpio:service_worker.js",
        include_str!("../js/service_worker.js"),
    ),
    (
        "kpio:service_worker_global.js",
        include_str!("../js/service_worker_global.js"),
    ),
    (
        "kpio:notification.js",
        include_str!("../js/notification.js"),
    ),
    (
        "kpio:background_sync.js",
        include_str!("../js/background_sync.js"),
    ),
    (
        "kpio:cache_storage.js",
        include_str!("../js/cache_storage.js"),
    ),
    (
        "kpio:indexed_db_values.js",
        include_str!("../js/indexed_db_values.js"),
    ),
    ("kpio:indexed_db.js", include_str!("../js/indexed_db.js")),
];
