# paramiko's file handles, as scripts use them: f.stat() while uploading (refused once: "a file
# being uploaded has no attributes until CLOSE"), 'a' (append: paramiko writes at offset 0 with
# APPEND set), 'r+' (rewrite in place) and truncate. Prints one "name: result" line per case.
# Usage: paramiko-handles.py PORT USER PASSWORD
import sys

import paramiko

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
transport = paramiko.Transport(("127.0.0.1", port))
transport.connect(username=user, password=password)
sftp = paramiko.SFTPClient.from_transport(transport)


def read(name):
    with sftp.open(name, "r") as f:
        return f.read().decode()


def case(name, run):
    try:
        print(f"{name}: {run()}")
    except Exception as error:  # one failing case must not hide the others
        print(f"{name}: error {type(error).__name__} {error}")


def stat_while_uploading():
    with sftp.open("stat.txt", "w") as f:
        f.write(b"0123456789")
        size = f.stat().st_size
        f.write(b"ABC")
        return f"{size} {f.stat().st_size}"


def append():
    with sftp.open("append.txt", "w") as f:
        f.write(b"0123456789")
    with sftp.open("append.txt", "a") as f:
        f.write(b"ABC")
    return read("append.txt")


def rewrite():
    with sftp.open("rplus.txt", "w") as f:
        f.write(b"0123456789")
    with sftp.open("rplus.txt", "r+") as f:
        f.seek(2)
        f.write(b"xy")
        f.seek(0)
        head = f.read(4).decode()
    return f"{head} {read('rplus.txt')}"


def truncate():
    with sftp.open("cut.txt", "w") as f:
        f.write(b"0123456789")
    sftp.truncate("cut.txt", 4)
    with sftp.open("cut.txt", "r+") as f:
        f.truncate(2)
    return read("cut.txt")


case("stat", stat_while_uploading)
case("append", append)
case("r+", rewrite)
case("truncate", truncate)
transport.close()
