# SPDX-License-Identifier: MIT
"""Train the vdfl denoiser: resumable, unattended, with a fixed dev set.

    /usr/bin/python3 train/train.py --name v1 --hours 10            # start (or --resume)
    /usr/bin/python3 train/train.py --name v1 --hours 10 --resume   # continue after a stop

Everything goes to train/runs/<name>/ (gitignored): config.json, train.log, last.pt (every
--ckpt-min minutes and on SIGTERM/SIGINT/exit), best.pt (lowest dev loss), devset.pt (the fixed
dev mixtures, generated once from dev speakers and dev noises with a fixed seed). Both .pt files
can be exported at any time with train/export.py.
"""
import argparse
import json
import math
import os
import shutil
import signal
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import dataset  # noqa: E402
import fastops  # noqa: E402
import vocana_lib  # noqa: E402
from loss import Loss, si_sdr  # noqa: E402
from model import (DEFAULT_HPARAMS, HPARAM_NAMES, VDFL, apply_output,  # noqa: E402
                   band_interp_matrix, cmul_real, count_params, istft, widen_from)

TRAIN_DIR = os.path.dirname(os.path.abspath(__file__))

MODEL_KEYS = tuple(k for k in HPARAM_NAMES if k != "n_erb")  # n_erb is fixed by the C library
# What a run keeps in its checkpoint and a resume continues with unless given again: the schedule
# and the loss/data recipe (a resume that silently dropped --w-onset would train another model).
KEPT_DEFAULTS = {"lr": 1e-3, "warmup": 500, "lr_floor": 0.05,
                 "w_onset": 0.0, "w_start": 0.0, "w_cold": 0.0,
                 "p_noise_onset": 0.0, "p_speech_lead": 0.0}
RECIPE_KEYS = ("p_noise_onset", "p_speech_lead")  # what dataset.Mixer takes


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="train the vdfl denoiser")
    ap.add_argument("--name", required=True, help="run name: train/runs/NAME")
    ap.add_argument("--runs", default=os.path.join(TRAIN_DIR, "runs"))
    ap.add_argument("--cache", default=os.path.join(TRAIN_DIR, "cache"))
    ap.add_argument("--lib", default=None, help="path to libvocana_dev.so (default: build/)")
    ap.add_argument("--resume", action="store_true", help="continue from runs/NAME/last.pt")
    ap.add_argument("--update-lib", action="store_true",
                    help="replace the run's copy of the library by --lib (features may change!)")
    ap.add_argument("--hours", type=float, default=1.0, help="wall-clock budget of this invocation")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: none)")
    # model
    # model (defaults: the shipped model's, model.DEFAULT_HPARAMS)
    ap.add_argument("--n-df", type=int, default=DEFAULT_HPARAMS["n_df"])
    ap.add_argument("--df-order", type=int, default=DEFAULT_HPARAMS["df_order"])
    ap.add_argument("--enc-dim", type=int, default=DEFAULT_HPARAMS["enc_dim"])
    ap.add_argument("--hidden", type=int, default=DEFAULT_HPARAMS["hidden"])
    ap.add_argument("--n-gru", type=int, default=DEFAULT_HPARAMS["n_gru"])
    ap.add_argument("--delay", type=int, default=DEFAULT_HPARAMS["delay"],
                    help="algorithmic latency in samples: selects the STFT window pair "
                         "(480 symmetric Vorbis, less: low-delay pair; docs/architecture.md)")
    ap.add_argument("--init-from", default=None,
                    help="start a new run from this checkpoint's weights (fresh optimizer and "
                         "schedule), e.g. to adapt a model to another --delay, or to widen it "
                         "(a larger --hidden: model.widen_from keeps its output exactly)")
    # optimisation
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=3.0, help="length of each training mixture")
    # the schedule's settings are kept in the checkpoint: a resume continues with them unless
    # they are given again (defaults in KEPT_DEFAULTS)
    ap.add_argument("--lr", type=float, default=None, help="peak learning rate (1e-3)")
    ap.add_argument("--warmup", type=int, default=None, help="linear warm-up steps (500)")
    ap.add_argument("--decay-hours", type=float, default=None,
                    help="cosine decay to lr*lr-floor over this much training time (summed over "
                         "resumes), constant after; default: --hours of the first invocation")
    ap.add_argument("--lr-floor", type=float, default=None,
                    help="end of the cosine decay, as a fraction of --lr (0.05)")
    ap.add_argument("--clip", type=float, default=1.0, help="gradient norm clipping")
    # the loss/data recipe: kept in the checkpoint like the schedule (KEPT_DEFAULTS: 0 = off)
    ap.add_argument("--w-onset", type=float, default=None,
                    help="extra weight of missing speech in the 60 ms after a speech onset "
                         "(loss.py)")
    ap.add_argument("--w-start", type=float, default=None,
                    help="extra weight of missing speech in an example's first 300 ms of speech")
    ap.add_argument("--w-cold", type=float, default=None,
                    help="extra weight of noise left where the target is silent, in the 300 ms "
                         "after every noise onset (loss.py)")
    ap.add_argument("--p-noise-onset", type=float, default=None,
                    help="share of noisy examples whose noise starts late (augment.noise_onset)")
    ap.add_argument("--p-speech-lead", type=float, default=None,
                    help="share of noisy examples whose speech starts late (augment.speech_lead)")
    ap.add_argument("--weight-decay", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    # machinery
    ap.add_argument("--workers", type=int, default=1, help="data worker processes (0: in-process)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch and OpenBLAS threads (1: the data worker has the other core)")
    ap.add_argument("--no-openblas", action="store_true", help="plain torch products (slow)")
    ap.add_argument("--ckpt-min", type=float, default=5.0, help="minutes between checkpoints")
    ap.add_argument("--eval-min", type=float, default=20.0, help="minutes between dev evaluations")
    ap.add_argument("--log-steps", type=int, default=20)
    ap.add_argument("--dev-n", type=int, default=160, help="dev mixtures (fixed once per run)")
    ap.add_argument("--dev-seed", type=int, default=12345)
    return ap.parse_args(argv)


class Logger:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1)

    def __call__(self, msg):
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg
        self.f.write(line + "\n")
        print(line, flush=True)


def lr_factor(step, train_s, warmup, decay_s, floor):
    """Linear warm-up over steps, then cosine decay over TRAINING TIME: the throughput of this
    shared machine varies too much to plan in steps, and the run should be annealed when its
    time budget ends whatever speed it got."""
    w = min(1.0, (step + 1) / max(1, warmup))
    p = min(1.0, train_s / max(1.0, decay_s))
    return w * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * p)))


def _worker_init(_wid):
    # Shutdown belongs to the main process (it saves a checkpoint first); a SIGTERM sent to the
    # whole process group must not kill the data worker under it.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def to_batch(items):
    return {k: torch.stack([it[k] for it in items]) for k in items[0]}


class Trainer:
    def __init__(self, args):
        self.args = args
        self.run_dir = os.path.join(args.runs, args.name)
        os.makedirs(self.run_dir, exist_ok=True)
        self.log = Logger(os.path.join(self.run_dir, "train.log"))
        # The run keeps its own copy of the library: features must stay exactly those the model
        # was trained on even if src/lib/dsp changes while the run goes on (resumes use the copy).
        snap = os.path.join(self.run_dir, "libvocana.so")
        if not os.path.exists(snap) or args.update_lib:
            src = vocana_lib.load(args.lib).path
            shutil.copyfile(src, snap + ".tmp")
            os.replace(snap + ".tmp", snap)
        self.lib = vocana_lib.load(snap)
        os.environ["VOCANA_LIB"] = self.lib.path  # data workers load the same library
        torch.set_num_threads(args.threads)
        blas = fastops.init(args.threads, enable=not args.no_openblas)
        last = os.path.join(self.run_dir, "last.pt")
        ckpt = None
        if os.path.exists(last):
            if not args.resume:
                raise SystemExit(f"{last} exists: pass --resume to continue, or use a new --name")
            ckpt = torch.load(last, map_location="cpu")
            for k in MODEL_KEYS:  # the architecture comes from the checkpoint
                # (runs from before the low-delay windows have no "delay": they used 480)
                setattr(args, k, ckpt["config"].get(k, 480 if k == "delay" else None))
            for k in KEPT_DEFAULTS:  # and the schedule and recipe, unless given again
                if getattr(args, k) is None:
                    setattr(args, k, ckpt["config"].get(k))
        for k, v in KEPT_DEFAULTS.items():
            if getattr(args, k) is None:
                setattr(args, k, v)
        torch.manual_seed(args.seed)
        self.model = VDFL(n_df=args.n_df, df_order=args.df_order, enc_dim=args.enc_dim,
                          hidden=args.hidden, n_gru=args.n_gru, delay=args.delay)
        self.interp = band_interp_matrix(self.lib.band_centers())
        self.loss = Loss(delay=args.delay, w_onset=args.w_onset, w_start=args.w_start,
                         w_cold=args.w_cold)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=args.lr,
                                     weight_decay=args.weight_decay)
        self.step, self.resumes, self.audio_s, self.best = 0, 0, 0.0, float("inf")
        self.train_s = 0.0
        self.dev_history = []
        if ckpt is not None:
            self.model.load_state_dict(ckpt["model"])
            self.opt.load_state_dict(ckpt["opt"])
            self.step, self.audio_s, self.train_s = ckpt["step"], ckpt["audio_s"], ckpt["train_s"]
            if args.decay_hours is None:
                args.decay_hours = ckpt["decay_hours"]
            self.best, self.resumes = ckpt["best"], ckpt["resumes"] + 1
            self.dev_history = ckpt.get("dev_history", [])
            torch.set_rng_state(ckpt["torch_rng"])
            self.log(f"resumed at step {self.step} ({self.audio_s / 3600:.1f} h of audio seen)")
        elif args.init_from:
            init = torch.load(args.init_from, map_location="cpu")
            cfg0 = init["config"]
            same = all(cfg0.get(k) == getattr(args, k) for k in MODEL_KEYS if k not in ("hidden",
                                                                                        "delay"))
            if not same or cfg0.get("hidden") > args.hidden:
                raise SystemExit(f"{args.init_from}: architecture differs from this run's")
            widen_from(self.model, init["model"])
            self.log(f"initialised from {args.init_from} (step {init['step']}, delay "
                     f"{cfg0.get('delay', 480)}, hidden {cfg0.get('hidden')} -> {args.hidden})")
        if args.decay_hours is None:
            args.decay_hours = args.hours
        cfg = {k: v for k, v in vars(args).items()}
        with open(os.path.join(self.run_dir, "config.json"), "w") as f:
            json.dump(cfg, f, indent=1)
        self.log(f"model {self.model.hparams()} params {count_params(self.model)}; "
                 f"lib {self.lib.path}; openblas {blas}; args {json.dumps(cfg)}")
        self.dev = self._devset()

    def recipe(self):
        """The data recipe's switches, as dataset.Mixer keywords."""
        return {k: getattr(self.args, k) for k in RECIPE_KEYS}

    # ---- dev set -------------------------------------------------------------------------
    def _devset(self):
        path = os.path.join(self.run_dir, "devset.pt")
        raw = torch.load(path) if os.path.exists(path) else None
        if raw is not None and "noise_frames" not in raw[0]:
            # runs before v8 stored no noise track; the set is rebuilt from the same seed (the
            # same mixtures while the audio cache is unchanged)
            self.log("dev set: stored without noise tracks, rebuilding it")
            raw = None
        if raw is None:
            t0 = time.time()
            exs = dataset.make_devset(self.args.cache, self.args.dev_n, self.args.dev_seed,
                                      self.args.seconds, self.recipe())
            raw = [{"noisy": torch.from_numpy(e["noisy"]).half(),
                    "clean": torch.from_numpy(e["clean"]).half(),
                    "bandwidth_hz": e["bandwidth_hz"], "has_speech": e["has_speech"],
                    "has_noise": e["has_noise"],
                    "noise_frames": torch.from_numpy(e["noise_frames"])} for e in exs]
            torch.save(raw, path + ".tmp")
            os.replace(path + ".tmp", path)
            self.log(f"dev set: {len(raw)} mixtures generated in {time.time() - t0:.0f} s")
        items = []
        for e in raw:
            ex = {"noisy": e["noisy"].float().numpy(), "clean": e["clean"].float().numpy(),
                  "bandwidth_hz": e["bandwidth_hz"], "has_speech": e["has_speech"],
                  "noise_frames": e["noise_frames"].numpy()}
            it = dataset.featurize(ex, self.model.n_df, self.lib, self.model.delay)
            it["has_noise"] = torch.tensor(float(e["has_noise"]))
            items.append(it)
        return items

    def forward(self, b):
        gains, coefs, vad_logit, _ = self.model(b["feat"])
        Y = apply_output(b["X"], gains, coefs, self.interp, self.model.n_df, self.model.df_order)
        return Y, vad_logit

    @torch.no_grad()
    def evaluate(self):
        self.model.eval()
        t0 = time.time()
        sums, n_b = {}, 0
        sdri, clean_sdr, noise_only_db = [], [], []
        for i in range(0, len(self.dev), 16):
            b = to_batch(self.dev[i: i + 16])
            Y, vad_logit = self.forward(b)
            _, parts = self.loss(Y, b["S"], vad_logit, b)
            for k, v in parts.items():
                sums[k] = sums.get(k, 0.0) + float(v)
            n_b += 1
            bwm = self.loss._bw_mask_481(b["bw"])[:, None, :]
            s = istft(b["S"], self.model.delay)
            y = istft(cmul_real(Y, bwm), self.model.delay)
            x = istft(cmul_real(b["X"], bwm), self.model.delay)
            imp = si_sdr(y, s) - si_sdr(x, s)
            for j in range(len(imp)):
                if b["has_speech"][j] > 0 and b["has_noise"][j] > 0:
                    sdri.append(float(imp[j]))
                elif b["has_speech"][j] > 0:
                    clean_sdr.append(float(si_sdr(y[j:j + 1], s[j:j + 1])))
                else:  # noise only: how much quieter did it get
                    px = float((x[j] ** 2).mean()) + 1e-12
                    py = float((y[j] ** 2).mean()) + 1e-12
                    noise_only_db.append(10 * math.log10(py / px))
        self.model.train()
        res = {k: v / n_b for k, v in sums.items()}
        res["sisdri"] = float(np.mean(sdri)) if sdri else float("nan")
        res["clean_sisdr"] = float(np.mean(clean_sdr)) if clean_sdr else float("nan")
        res["noise_only_db"] = float(np.mean(noise_only_db)) if noise_only_db else float("nan")
        res["step"] = self.step
        res["seconds"] = time.time() - t0
        return res

    # ---- checkpoints ---------------------------------------------------------------------
    def _state(self):
        return {"model": self.model.state_dict(), "hparams": self.model.hparams(),
                "config": {k: getattr(self.args, k) for k in MODEL_KEYS + tuple(KEPT_DEFAULTS)},
                "opt": self.opt.state_dict(), "train_s": self.train_s,
                "decay_hours": self.args.decay_hours, "step": self.step, "audio_s": self.audio_s, "best": self.best,
                "resumes": self.resumes, "torch_rng": torch.get_rng_state(),
                "dev_history": self.dev_history}

    def save(self, name, state=None):
        path = os.path.join(self.run_dir, name)
        torch.save(state if state is not None else self._state(), path + ".tmp")
        os.replace(path + ".tmp", path)

    # ---- main loop -----------------------------------------------------------------------
    def run(self):
        a = self.args
        stop = {"sig": None}

        def on_signal(signum, _frame):
            stop["sig"] = signum

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        stream = dataset.MixStream(a.cache, self.model.n_df, seed=a.seed * 7919 + self.resumes,
                                   seconds=a.seconds, delay=self.model.delay,
                                   recipe=self.recipe())
        loader = torch.utils.data.DataLoader(stream, batch_size=a.batch, num_workers=a.workers,
                                             collate_fn=to_batch, worker_init_fn=_worker_init,
                                             prefetch_factor=4 if a.workers > 0 else 2)
        t_start = time.time()
        t_ckpt = t_eval = t_start
        if not self.dev_history:
            self._eval_and_log()
        t_log, audio_log, wait_log, steps_log = time.time(), 0.0, 0.0, 0
        acc = {}
        it = iter(loader)
        self.model.train()
        while True:
            if stop["sig"] is not None:
                self.log(f"signal {stop['sig']}: saving and exiting")
                break
            if time.time() - t_start > a.hours * 3600 or (a.max_steps and self.step >= a.max_steps):
                self.log("time or step budget reached")
                break
            t0 = time.time()
            lr = a.lr * lr_factor(self.step, self.train_s, a.warmup, a.decay_hours * 3600,
                                  a.lr_floor)
            for g in self.opt.param_groups:
                g["lr"] = lr
            try:
                b = next(it)
            except RuntimeError as e:  # the data worker died: keep what we have
                self.log(f"data loader failed ({e}): saving and exiting")
                break
            wait_log += time.time() - t0
            Y, vad_logit = self.forward(b)
            loss, parts = self.loss(Y, b["S"], vad_logit, b)
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            gnorm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), a.clip)
            if not torch.isfinite(loss) or not torch.isfinite(gnorm):
                self.log(f"step {self.step}: non-finite loss/grad, batch skipped")
                continue
            self.opt.step()
            self.step += 1
            self.train_s += time.time() - t0
            secs = a.batch * b["X"].shape[1] * 0.01
            self.audio_s += secs
            audio_log += secs
            steps_log += 1
            for k, v in parts.items():
                acc[k] = acc.get(k, 0.0) + float(v)
            acc["gnorm"] = acc.get("gnorm", 0.0) + float(gnorm)
            if self.step % a.log_steps == 0:
                dt = time.time() - t_log
                msg = " ".join(f"{k} {v / steps_log:.4f}" for k, v in acc.items())
                self.log(f"step {self.step} {msg} lr {lr:.2e} "
                         f"audio_s/s {audio_log / dt:.1f} data_wait {wait_log / dt:.2f} "
                         f"seen_h {self.audio_s / 3600:.2f}")
                t_log, audio_log, wait_log, steps_log, acc = time.time(), 0.0, 0.0, 0, {}
            now = time.time()
            if now - t_eval > a.eval_min * 60:
                self._eval_and_log()
                t_eval = time.time()
            if now - t_ckpt > a.ckpt_min * 60:
                self.save("last.pt")
                t_ckpt = time.time()
        self.save("last.pt")
        self.log(f"saved last.pt at step {self.step}")
        del it, loader

    def _eval_and_log(self):
        res = self.evaluate()
        self.dev_history.append(res)
        better = res["total"] < self.best
        self.log("dev " + " ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                                   for k, v in res.items()) + (" (best)" if better else ""))
        if better:
            self.best = res["total"]
        st = self._state()
        weights = {k: st[k] for k in ("model", "hparams", "config", "step", "audio_s", "best",
                                      "dev_history")}
        # every evaluation also keeps its weights: the dev loss is not the final judge (ESTOI on
        # held-out material is), so the checkpoint to ship is chosen afterwards from these
        self.save(f"snap_{self.step}.pt", weights)
        if better:
            self.save("best.pt", weights)


# glibc returns freed blocks above 32 MiB to the kernel and page-faults them back in on the
# next step; every batch tensor is that large, which doubled the step time. Keep them.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "4000000000", "MALLOC_TRIM_THRESHOLD_": "8000000000",
              "MALLOC_TOP_PAD_": "268435456"}


def main(argv=None):
    if argv is None and any(os.environ.get(k) != v for k, v in MALLOC_ENV.items()):
        os.environ.update(MALLOC_ENV)
        os.execv(sys.executable, [sys.executable] + sys.argv)
    args = parse_args(argv)
    Trainer(args).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
