"""course_lib.torch_mlp on a GPU: which device is chosen, and batches follow the model there.

No GPU is needed: the device checks are monkeypatched, and batches record where they are sent.
"""

import pytest

torch = pytest.importorskip("torch")

from course_lib import torch_mlp  # noqa: E402


@pytest.fixture
def no_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


def test_cpu_when_there_is_no_gpu(no_gpu):
    assert torch_mlp.pick_device() == torch.device("cpu")


def test_cuda_when_available(no_gpu, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert torch_mlp.pick_device() == torch.device("cuda")


def test_mps_when_there_is_no_cuda(no_gpu, monkeypatch):
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert torch_mlp.pick_device() == torch.device("mps")


def test_cuda_wins_over_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    assert torch_mlp.pick_device() == torch.device("cuda")


def test_a_build_without_mps_support_falls_back_to_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.delattr(torch.backends, "mps")
    assert torch_mlp.pick_device() == torch.device("cpu")


class Batch:
    """Stands in for a CPU batch tensor: records the device it is moved to."""

    def __init__(self, tensor, moves):
        self.tensor, self.moves = tensor, moves

    def to(self, device):
        self.moves.append(torch.device(device))
        return self.tensor


def _loader(moves):
    gen = torch.Generator().manual_seed(0)
    x, y = torch.randn(8, 4, generator=gen), torch.randint(0, 3, (8,), generator=gen)
    return [(Batch(x, moves), Batch(y, moves))]


def test_train_epoch_and_evaluate_move_each_batch_to_the_models_device():
    torch.manual_seed(0)
    model = torch_mlp.MLP(4, [5], 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    moves = []
    loss = torch_mlp.train_epoch(model, _loader(moves), optimizer)
    assert moves == [torch.device("cpu")] * 2 and loss > 0
    moves.clear()
    assert 0 <= torch_mlp.evaluate(model, _loader(moves)) <= 1
    assert moves == [torch.device("cpu")] * 2


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_training_on_cuda_with_cpu_batches():
    device = torch_mlp.pick_device()
    torch.manual_seed(0)
    model = torch_mlp.MLP(4, [5], 3).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = [(torch.randn(8, 4), torch.randint(0, 3, (8,)))]
    assert torch_mlp.train_epoch(model, loader, optimizer) > 0
    assert 0 <= torch_mlp.evaluate(model, loader) <= 1
