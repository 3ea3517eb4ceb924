"""gunicorn settings shared by the web and sandbox services (`gunicorn -c config/gunicorn.py`).

The access log names the path, never the query string: the gateway's GET forwarding puts the
inbound `auth` value and the text itself there (`/inbound/<key>/?auth=…&msg=…`). The referrer is
left out for the same reason (a page's address can carry a search or a phone number).
"""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
