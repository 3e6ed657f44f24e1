"""The speech map's cost: the same 60-minute build (bench/run.py's show) by the tree
before issue 33 (webrtcvad) and by this one (Silero), alternated, best of two, in one run.

    git worktree add /tmp/old 484ec5f && .venv/bin/pip install webrtcvad-wheels
    OLD_TREE=/tmp/old .venv/bin/python bench/map_cost.py
"""
import json, os, subprocess, sys, time
from pathlib import Path
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.run import make_episode, WORK
ep = make_episode(WORK / 'show60', 60)
py = sys.executable
def run(env):
    t = time.monotonic()
    subprocess.run([py, '-m', 'producer', 'build', '--quiet', str(ep)], check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.monotonic() - t
    s = json.loads((ep / 'dist' / 'report.json').read_text())['seconds']
    return wall, s.get('level_analysis'), json.loads((ep / 'dist' / 'report.json').read_text()).get('speech')
new_env = {**os.environ}
old_env = {**os.environ, 'PYTHONPATH': os.environ.get('OLD_TREE', '/tmp/old')}
rows = {'before (webrtcvad)': [], 'after (Silero)': []}
for _ in range(2):
    rows['before (webrtcvad)'].append(run(old_env))
    rows['after (Silero)'].append(run(new_env))
for k, v in rows.items():
    best = min(v, key=lambda r: r[0])
    print(f"{k}: build wall {[round(r[0], 1) for r in v]} s (best {best[0]:.1f}), analysis {[round(r[1], 2) for r in v]} s")
b, a = (min(r[0] for r in v) for v in rows.values())
print(f"added by the new map: {a - b:+.1f} s of wall an hour")
