"""Learning-rate schedulers against torch.optim.lr_scheduler: the lr (and cycled momentum) sequence step by
step, state_dict round trips, and schedules driving a real optimiser."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

SCHEDULES = [
    ("StepLR", dict(step_size=3)),
    ("StepLR", dict(step_size=2, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=4, eta_min=0.01)),  # runs past T_max: the cosine comes back up
    ("OneCycleLR", dict(max_lr=0.5, total_steps=20)),
    ("OneCycleLR", dict(max_lr=[0.5, 0.2], epochs=4, steps_per_epoch=5, pct_start=0.25,
                        anneal_strategy="linear")),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=20, three_phase=True, div_factor=10, final_div_factor=100,
                        base_momentum=0.8, max_momentum=0.9)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 0.9**epoch / (1 + epoch))),
]
OPTIMIZERS = [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.1)), ("AdamW", dict(lr=0.1))]


def _pair(opt_name, opt_kwargs):
    w = np.zeros(3)
    ours = [ember.nn.Parameter(ember.tensor(w)), ember.nn.Parameter(ember.tensor(w))]
    theirs = [torch.nn.Parameter(torch.tensor(w)), torch.nn.Parameter(torch.tensor(w))]
    groups = lambda ps: [{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.05}]  # noqa: E731
    return (getattr(ember.optim, opt_name)(groups(ours), **opt_kwargs),
            getattr(torch.optim, opt_name)(groups(theirs), **opt_kwargs))


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g.get("momentum") for g in opt.param_groups]


@pytest.mark.parametrize("opt_name,opt_kwargs", OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS])
@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)])
def test_lr_sequence_matches_torch(name, kwargs, opt_name, opt_kwargs):
    opt, opt_t = _pair(opt_name, opt_kwargs)
    sched = getattr(ember.optim.lr_scheduler, name)(opt, **kwargs)
    sched_t = getattr(torch.optim.lr_scheduler, name)(opt_t, **kwargs)
    steps = 19 if name == "OneCycleLR" else 15
    for i in range(steps + 1):
        assert sched.get_last_lr() == sched_t.get_last_lr()  # bit-identical, not merely close
        assert [g["lr"] for g in opt.param_groups] == [g["lr"] for g in opt_t.param_groups]
        assert _momenta(opt) == _momenta(opt_t)
        opt.step()
        opt_t.step()
        if i < steps:
            sched.step()
            sched_t.step()


def test_one_cycle_refuses_steps_past_the_end():
    opt, _ = _pair("SGD", dict(lr=0.1))
    sched = ember.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
    for _ in range(2):
        sched.step()
    with pytest.raises(ValueError, match="total_steps is 3"):
        sched.step()
        sched.step()


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(SCHEDULES)])
def test_state_dict_resumes_the_schedule(name, kwargs, tmp_path):
    """Save optimiser and scheduler after 6 steps with ember.save, rebuild both, load: the rest of the sequence
    is the same as an uninterrupted run's."""

    def run(split):
        opt, _ = _pair("SGD", dict(lr=0.1, momentum=0.9))
        sched = getattr(ember.optim.lr_scheduler, name)(opt, **kwargs)
        lrs = []
        for i in range(12):
            if i == split:
                ember.save({"o": opt.state_dict(), "s": sched.state_dict()}, tmp_path / "s.safetensors")
                saved = ember.load(tmp_path / "s.safetensors")
                opt, _ = _pair("SGD", dict(lr=0.1, momentum=0.9))
                sched = getattr(ember.optim.lr_scheduler, name)(opt, **kwargs)
                opt.load_state_dict(saved["o"])
                sched.load_state_dict(saved["s"])
            opt.step()
            sched.step()
            lrs.append((sched.get_last_lr(), _momenta(opt)))
        return lrs

    assert run(split=6) == run(split=-1)


def test_lambda_state_dict_keeps_callable_objects_and_skips_functions():
    class Warmup:
        def __init__(self):
            self.factor = 2.0

        def __call__(self, epoch):
            return self.factor * epoch

    opt, opt_t = _pair("SGD", dict(lr=0.1))
    fn = Warmup()
    sched = ember.optim.lr_scheduler.LambdaLR(opt, [fn, lambda e: 1.0])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"factor": 2.0}, None]
    fn.factor = 5.0
    sched.load_state_dict(state)
    assert fn.factor == 2.0


def test_schedulers_drive_training_like_torch():
    """SGD with OneCycleLR on a least-squares problem: weights match torch after every step."""
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((16, 4)), rng.standard_normal((16, 2))
    w0 = rng.standard_normal((2, 4))
    p, q = ember.nn.Parameter(ember.tensor(w0)), torch.nn.Parameter(torch.tensor(w0))
    opt, opt_t = ember.optim.SGD([p], lr=0.1, momentum=0.9), torch.optim.SGD([q], lr=0.1, momentum=0.9)
    sched = ember.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=10)
    sched_t = torch.optim.lr_scheduler.OneCycleLR(opt_t, max_lr=0.05, total_steps=10)
    for _ in range(10):
        for w, o, s, lib in ((p, opt, sched, ember), (q, opt_t, sched_t, torch)):
            o.zero_grad()
            r = lib.tensor(x) @ w.T - lib.tensor(y)
            (r * r).mean().backward()
            o.step()
            if s.last_epoch < 9:
                s.step()
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-12, atol=1e-12)
