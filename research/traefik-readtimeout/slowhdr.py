import socket, time
s = socket.create_connection(("127.0.0.1", 18080)); t0=time.monotonic()
s.sendall(b"GET /ws HTTP/1.1\r\nHost: x\r\n")  # headers never finished
s.settimeout(15)
try:
    d = s.recv(100); print(f"positive control: server closed/answered after {time.monotonic()-t0:.1f}s: {d[:40]!r}")
except socket.timeout:
    print("positive control: still open after 15s")
