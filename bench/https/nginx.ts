import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { freePort, run, waitForPort } from '../sftp/run';

export interface NginxServer {
  port: number;
  /** Where GET serves from and PUT writes to (`/files/<name>` on the wire). */
  folder: string;
  stop(): Promise<void>;
}

/**
 * The reference: Debian's nginx (nginx-light), one worker, serving a folder over HTTPS with an
 * ECDSA P-256 certificate made by openssl and accepting WebDAV PUT into it. Otherwise stock:
 * sendfile off (TLS in user space, as Node does), no access log.
 */
export async function startNginx(work: string): Promise<NginxServer> {
  const dir = path.join(work, 'nginx');
  const folder = path.join(dir, 'files');
  await mkdir(path.join(dir, 'logs'), { recursive: true });
  await mkdir(path.join(dir, 'body'), { recursive: true });
  await mkdir(folder, { recursive: true });
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
    '-subj', '/CN=127.0.0.1', '-days', '2',
  ]); // prettier-ignore
  const port = await freePort();
  await writeFile(
    path.join(dir, 'nginx.conf'),
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${dir}/cert.pem;
    ssl_certificate_key ${dir}/key.pem;
    location /files/ {
      alias ${folder}/;
      dav_methods PUT;
      create_full_put_path on;
    }
  }
}
`,
  );
  const nginx: ChildProcess = spawn(
    '/usr/sbin/nginx',
    ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  await waitForPort(port, 10_000);
  return {
    port,
    folder,
    stop: async () => {
      nginx.kill('SIGTERM');
      await new Promise((resolve) => nginx.once('exit', resolve));
    },
  };
}
