//! Exercises std::fs in the current directory and prints what it sees. Run with a fresh,
//! empty working directory (natively) or preopen (on kpio); both must print the same.
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Read, Seek, SeekFrom, Write};

fn listing(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let kind = if e.file_type().unwrap().is_dir() { "dir" } else { "file" };
            format!("{}:{kind}", e.file_name().to_string_lossy())
        })
        .collect();
    names.sort();
    names
}

fn main() {
    fs::create_dir_all("a/b/c").unwrap();
    fs::write("a/b/hello.txt", b"hello, world\n").unwrap();
    println!("read: {:?}", fs::read_to_string("a/b/hello.txt").unwrap());
    for i in 0..5 {
        fs::write(format!("a/f{i}.dat"), vec![i as u8; i * 100]).unwrap();
    }
    println!("list a: {:?}", listing("a"));
    println!("list a/b: {:?}", listing("a/b"));

    let m = fs::metadata("a/f3.dat").unwrap();
    println!("f3: len {} file {} dir {}", m.len(), m.is_file(), m.is_dir());
    let m = fs::metadata("a/b").unwrap();
    println!("a/b: file {} dir {}", m.is_file(), m.is_dir());

    fs::rename("a/f1.dat", "a/b/c/moved.dat").unwrap();
    println!("after rename a: {:?}", listing("a"));
    println!("moved len: {}", fs::metadata("a/b/c/moved.dat").unwrap().len());

    let mut f = OpenOptions::new().read(true).write(true).create(true).truncate(true).open("seek.bin").unwrap();
    f.write_all(b"0123456789abcdef").unwrap();
    f.seek(SeekFrom::Start(4)).unwrap();
    let mut buf = [0u8; 4];
    f.read_exact(&mut buf).unwrap();
    println!("seek read: {}", String::from_utf8_lossy(&buf));
    println!("pos: {}", f.stream_position().unwrap());
    f.seek(SeekFrom::End(-3)).unwrap();
    let mut rest = String::new();
    f.read_to_string(&mut rest).unwrap();
    println!("tail: {rest}");
    f.set_len(6).unwrap();
    drop(f);
    println!("truncated: {:?}", fs::read_to_string("seek.bin").unwrap());

    let mut app = OpenOptions::new().append(true).open("seek.bin").unwrap();
    app.write_all(b"+tail").unwrap();
    drop(app);
    println!("appended: {:?}", fs::read_to_string("seek.bin").unwrap());

    let e = File::open("does/not/exist").unwrap_err();
    println!("missing: {:?}", e.kind());
    let e = fs::create_dir("a").unwrap_err();
    println!("mkdir existing: {:?}", e.kind());
    let e = fs::remove_dir("a").unwrap_err();
    println!("rmdir non-empty: {}", e.kind() != ErrorKind::NotFound);

    fs::remove_file("a/f0.dat").unwrap();
    fs::remove_dir_all("a/b").unwrap();
    println!("final a: {:?}", listing("a"));
    fs::remove_dir_all("a").unwrap();
    fs::remove_file("seek.bin").unwrap();
    println!("final .: {:?}", listing("."));
}
