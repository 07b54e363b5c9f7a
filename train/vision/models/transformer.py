"""A small transformer-encoder classifier: token + position embeddings, pre-norm encoder layers (multi-head
self-attention with BATCH_MATMUL and softmax, GELU MLP), mean pooling over tokens, a linear head."""

from __future__ import annotations

import math

import ember
from ember import nn

from ...tensor import Tensor


class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"SelfAttention: dim {dim} is not divisible by heads {heads}")
        self.heads, self.head_dim = heads, dim // heads
        self.query, self.key, self.value = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.out = nn.Linear(dim, dim)

    def _split_heads(self, x: Tensor) -> Tensor:
        n, t, _ = x.shape
        return x.reshape(n, t, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, x: Tensor) -> Tensor:
        n, t, d = x.shape
        q, k, v = (self._split_heads(f(x)) for f in (self.query, self.key, self.value))
        scores = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))
        attended = scores.softmax(dim=-1) @ v
        return self.out(attended.permute(0, 2, 1, 3).reshape(n, t, d))


class EncoderLayer(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: int = 2) -> None:
        super().__init__()
        self.norm1, self.attention = nn.LayerNorm(dim), SelfAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, mlp_ratio * dim), nn.GELU(), nn.Linear(mlp_ratio * dim, dim))

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attention(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class TransformerClassifier(nn.Module):
    def __init__(self, vocab_size: int, seq_len: int, dim: int, heads: int, depth: int, num_classes: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim)
        self.position = nn.Parameter(ember.randn(1, seq_len, dim) * 0.02)
        self.layers = nn.Sequential(*(EncoderLayer(dim, heads) for _ in range(depth)))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, tokens: Tensor) -> Tensor:
        x = self.layers(self.embedding(tokens) + self.position)
        return self.head(self.norm(x).mean(dim=1))


def transformer_classifier(vocab_size: int = 100, seq_len: int = 16, dim: int = 32, heads: int = 4, depth: int = 2,
                           num_classes: int = 4, *, seed: int = 0) -> nn.Module:
    """Classifies (N, seq_len) integer token sequences into `num_classes`."""
    ember.manual_seed(seed)
    return TransformerClassifier(vocab_size, seq_len, dim, heads, depth, num_classes)


class TinyEncoder(nn.Module):
    """nn.TransformerEncoder over float feature frames (N, frames, features): a linear embedding, two post-norm
    encoder layers with nn.MultiheadAttention, mean pooling, a linear head."""

    def __init__(self, features: int = 16, dim: int = 32, heads: int = 4, depth: int = 2,
                 num_classes: int = 5) -> None:
        super().__init__()
        self.embed = nn.Linear(features, dim)
        layer = nn.TransformerEncoderLayer(dim, heads, dim_feedforward=2 * dim, dropout=0.1, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, depth)
        self.head = nn.Linear(dim, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.encoder(self.embed(x)).mean(dim=1))


def tiny_encoder(num_classes: int = 5, *, seed: int = 0) -> TinyEncoder:
    ember.manual_seed(seed)
    return TinyEncoder(num_classes=num_classes)
