"""RemoteMonitor: posts each epoch's logs to an HTTP server (Keras 2.3's
callback, with the standard library's urllib instead of `requests`)."""
import json
import urllib.error
import urllib.parse
import urllib.request
import warnings

import numpy as np

from .base import Callback


class RemoteMonitor(Callback):
    """Sends each epoch's logs to an HTTP server.

    At the end of every epoch, `{'epoch': epoch, **logs}` is POSTed to
    `root + path`, as the form field `field` holding that JSON, or as a JSON
    body with `send_as_json`. An unreachable server only warns (the standard
    library's urllib is used, not `requests`).

    Arguments:
        root: the server's root URL.
        path: the path the events are sent to.
        field: the form field holding the JSON data.
        headers: a dict of extra HTTP headers.
        send_as_json: whether to send the logs as a JSON body.
    """

    def __init__(self, root='http://localhost:9000', path='/publish/epoch/end/', field='data',
                 headers=None, send_as_json=False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json

    def on_epoch_end(self, epoch, logs=None):
        send = {'epoch': epoch}
        for k, v in (logs or {}).items():
            send[k] = v.item() if isinstance(v, (np.ndarray, np.generic)) else v
        headers = dict(self.headers or {})
        if self.send_as_json:
            body = json.dumps(send).encode('utf-8')
            headers.setdefault('Content-Type', 'application/json')
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(send)}).encode('utf-8')
            headers.setdefault('Content-Type', 'application/x-www-form-urlencoded')
        request = urllib.request.Request(self.root + self.path, data=body, headers=headers,
                                         method='POST')
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except (urllib.error.URLError, OSError, ValueError):
            warnings.warn('Warning: could not reach RemoteMonitor root server at '
                          + str(self.root))
