import asyncio, sys, time, websockets
# usage: client.py MODE SECONDS   MODE=idle|active
mode, secs = sys.argv[1], float(sys.argv[2])
async def main():
    t0 = time.monotonic()
    async with websockets.connect("ws://127.0.0.1:18080/ws", ping_interval=None, open_timeout=5) as ws:
        await ws.send("hello"); print("handshake+echo:", await ws.recv())
        try:
            if mode == "idle":
                await asyncio.sleep(secs)
                await ws.send("after-idle"); r = await asyncio.wait_for(ws.recv(), 5)
                print(f"{mode}: alive after {time.monotonic()-t0:.1f}s, echo={r}")
            else:
                while time.monotonic() - t0 < secs:
                    await ws.send("tick"); await asyncio.wait_for(ws.recv(), 5); await asyncio.sleep(0.5)
                print(f"{mode}: alive after {time.monotonic()-t0:.1f}s of traffic")
        except Exception as e:
            print(f"{mode}: DIED after {time.monotonic()-t0:.1f}s: {type(e).__name__}: {e}")
asyncio.run(main())
