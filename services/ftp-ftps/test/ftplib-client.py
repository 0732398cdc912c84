"""Drives the FTP door with Python's ftplib (stdlib), as tests/ftplib.spec.ts asks.

usage: ftplib-client.py PORT CAFILE USER PASSWORD MODE SCRIPT_JSON
MODE: reuse (FTP_TLS that resumes the control session on data connections, the happy path),
      stock (ftplib.FTP_TLS as shipped: every data connection is a new TLS session),
      clear (the session-reusing class without PROT P).
SCRIPT_JSON: a list of [verb, *args]; prints one JSON line per step: {"ok": ..., "result"|"error"}.
"""
import json
import ssl
import sys
from ftplib import FTP_TLS, error_perm, error_temp, error_reply


class ReusingFTP_TLS(FTP_TLS):
    """Resumes the control connection's TLS session on each data connection (as vsftpd asks)."""

    def ntransfercmd(self, cmd, rest=None):
        conn, size = super(FTP_TLS, self).ntransfercmd(cmd, rest)
        if self._prot_p:
            conn = self.context.wrap_socket(conn, server_hostname=self.host, session=self.sock.session)
        return conn, size


def main():
    port, cafile, user, password, mode, script = sys.argv[1:7]
    context = ssl.create_default_context(cafile=cafile)
    cls = FTP_TLS if mode == "stock" else ReusingFTP_TLS
    ftp = cls(context=context, timeout=30)
    ftp.connect("127.0.0.1", int(port))
    ftp.auth()
    ftp.login(user, password)
    if mode != "clear":  # clear: no PROT P, data in clear as the RFC's default
        ftp.prot_p()
    for step in json.loads(script):
        verb, args = step[0], step[1:]
        try:
            print(json.dumps({"step": verb, "ok": True, "result": run(ftp, verb, args)}), flush=True)
        except (error_perm, error_temp, error_reply, EOFError, OSError) as e:
            print(json.dumps({"step": verb, "ok": False, "error": str(e)}), flush=True)
    try:
        ftp.quit()
    except Exception:
        pass


def run(ftp, verb, args):
    if verb == "mlsd":
        return [[name, facts] for name, facts in ftp.mlsd(*args)]
    if verb == "list":
        lines = []
        ftp.retrlines("LIST " + " ".join(args), lines.append)
        return lines
    if verb == "put":
        with open(args[0], "rb") as f:
            return ftp.storbinary("STOR " + args[1], f)
    if verb == "resume":  # REST + STOR of the rest of a local file, from the remote size
        offset = ftp.size(args[1])
        with open(args[0], "rb") as f:
            f.seek(offset)
            return ftp.storbinary("STOR " + args[1], f, rest=offset)
    if verb == "append":
        with open(args[0], "rb") as f:
            return ftp.storbinary("APPE " + args[1], f)
    if verb == "get":
        with open(args[1], "wb") as f:
            return ftp.retrbinary("RETR " + args[0], f.write)
    if verb == "active":  # PORT (EPRT on IPv6) for the transfers that follow
        ftp.set_pasv(False)
        return None
    if verb == "abort-get":  # reads a little of a download, then ABOR
        conn = ftp.transfercmd("RETR " + args[0])
        conn.recv(65536)
        # ftplib's abort() sends ABOR as urgent data, which an SSLSocket refuses: send it inline.
        ftp.putcmd("ABOR")
        replies = [ftp.getmultiline(), ftp.getmultiline()]
        conn.close()
        return replies
    return getattr(ftp, verb)(*args)


main()
