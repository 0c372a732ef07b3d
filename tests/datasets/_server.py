"""A local HTTP server for download tests (127.0.0.1, a free port, a thread).

`/truncated/<name>` announces the full length of `<name>` plus 1000 bytes and
then closes the connection after the real bytes: an interrupted transfer.
"""
import functools
import hashlib
import http.server
import os
import threading
import urllib.request


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.startswith('/truncated/'):
            with open(os.path.join(self.directory, self.path[len('/truncated/'):]), 'rb') as f:
                data = f.read()
            self.send_response(200)
            self.send_header('Content-Length', str(len(data) + 1000))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
            self.close_connection = True
            return
        super().do_GET()


class FileServer(object):
    """Serves the files of `root` until `stop()`; `url(name)` is a file's URL."""

    def __init__(self, root):
        self.root = str(root)
        os.makedirs(self.root, exist_ok=True)
        handler = functools.partial(_Handler, directory=self.root)
        self.httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
        self.httpd.daemon_threads = True
        # A short poll interval: shutdown() waits for the loop to notice.
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,),
                                       daemon=True)
        self.thread.start()
        self.running = True

    def url(self, name):
        return 'http://127.0.0.1:%d/%s' % (self.httpd.server_address[1], name)

    def path(self, name):
        return os.path.join(self.root, name)

    def stop(self):
        if self.running:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.thread.join()
            self.running = False


def file_url(path):
    return 'file://' + urllib.request.pathname2url(os.path.abspath(str(path)))


def sha256(path):
    with open(str(path), 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def md5(path):
    with open(str(path), 'rb') as f:
        return hashlib.md5(f.read()).hexdigest()


# Nothing listens on port 1: connections are refused at once, like a machine offline.
OFFLINE = 'http://127.0.0.1:1/'
