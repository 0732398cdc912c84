# paramiko's SFTPClient.put and get, as Ansible and countless scripts use them. put pipelines its
# writes and, before replies came back in request order, dropped an early reply and then waited
# for it forever on any file over ~3.2 MB. Usage: paramiko-put-get.py PORT USER PASSWORD LOCAL
import sys

import paramiko

port, user, password, local = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
transport = paramiko.Transport(("127.0.0.1", port))
transport.connect(username=user, password=password)
sftp = paramiko.SFTPClient.from_transport(transport)
sftp.put(local, "via-paramiko.bin")
sftp.get("via-paramiko.bin", local + ".back")
print(sftp.stat("via-paramiko.bin").st_size)
transport.close()
