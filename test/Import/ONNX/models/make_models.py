"""Exports the small real-architecture models that lowbit's tests import.

Each model is a real architecture at a small size with random weights
(seeded), exported by torch's own ONNX exporters, the way users' models
arrive. The committed .onnx files are what the tests use; this script needs
torch (and onnxscript for the dynamo exporter) and is never run by CI.

  python make_models.py [OUT_DIR]     (default: this directory)

  minilm_encoder.onnx   BERT/MiniLM-style encoder, TorchScript exporter, opset 14
  llama_decoder.onnx    LLaMA-style decoder stack (RMSNorm, rotary, SwiGLU,
                        grouped-query attention, causal mask, KV-cache concat),
                        dynamo exporter, opset 18
  resnet_cnn.onnx       ResNet-style CNN (conv/BN/ReLU, residuals, pooling),
                        TorchScript exporter, opset 13
  vit_block.onnx        ViT (patch-embedding conv, class token, pre-norm
                        transformer block, GELU MLP), dynamo exporter, opset 18
"""
import math
import os
import sys

import torch
from torch import nn
import torch.nn.functional as F


# --- BERT / MiniLM-style encoder --------------------------------------------
class BertLayer(nn.Module):
    def __init__(self, hidden, heads, ffn):
        super().__init__()
        self.heads = heads
        self.qkv = nn.ModuleList([nn.Linear(hidden, hidden) for _ in range(3)])
        self.out = nn.Linear(hidden, hidden)
        self.ln1 = nn.LayerNorm(hidden, eps=1e-12)
        self.ffn1 = nn.Linear(hidden, ffn)
        self.ffn2 = nn.Linear(ffn, hidden)
        self.ln2 = nn.LayerNorm(hidden, eps=1e-12)

    def forward(self, x, mask_bias):
        b, s, h = x.shape
        d = h // self.heads
        q, k, v = (p(x).view(b, s, self.heads, d).transpose(1, 2) for p in self.qkv)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + mask_bias
        ctx = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b, s, h)
        x = self.ln1(x + self.out(ctx))
        return self.ln2(x + self.ffn2(F.gelu(self.ffn1(x))))


class MiniLMEncoder(nn.Module):
    def __init__(self, vocab=1000, hidden=64, heads=4, ffn=128, layers=2, max_pos=128):
        super().__init__()
        self.word = nn.Embedding(vocab, hidden)
        self.pos = nn.Embedding(max_pos, hidden)
        self.token_type = nn.Embedding(2, hidden)
        self.ln = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList([BertLayer(hidden, heads, ffn) for _ in range(layers)])

    def forward(self, input_ids, attention_mask, token_type_ids):
        seq = input_ids.shape[1]
        positions = torch.arange(seq, device=input_ids.device).unsqueeze(0)
        x = self.ln(self.word(input_ids) + self.pos(positions) + self.token_type(token_type_ids))
        mask_bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, mask_bias)
        # Mean pooling over the attended tokens, as sentence-transformers does.
        m = attention_mask.unsqueeze(-1).to(x.dtype)
        return (x * m).sum(1) / m.sum(1).clamp(min=1e-9)


# --- LLaMA-style decoder -------------------------------------------------------
class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim) + 0.1 * torch.randn(dim))
        self.eps = eps

    def forward(self, x):
        variance = x.to(torch.float32).pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(variance + self.eps))


def rotate_half(x):
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat((-x2, x1), dim=-1)


class LlamaLayer(nn.Module):
    def __init__(self, hidden, heads, kv_heads, ffn):
        super().__init__()
        self.heads, self.kv_heads, self.d = heads, kv_heads, hidden // heads
        self.q = nn.Linear(hidden, heads * self.d, bias=False)
        self.k = nn.Linear(hidden, kv_heads * self.d, bias=False)
        self.v = nn.Linear(hidden, kv_heads * self.d, bias=False)
        self.o = nn.Linear(heads * self.d, hidden, bias=False)
        self.gate = nn.Linear(hidden, ffn, bias=False)
        self.up = nn.Linear(hidden, ffn, bias=False)
        self.down = nn.Linear(ffn, hidden, bias=False)
        self.norm1 = RMSNorm(hidden)
        self.norm2 = RMSNorm(hidden)

    def forward(self, x, cos, sin, mask, past_k, past_v):
        b, s, _ = x.shape
        h = self.norm1(x)
        q = self.q(h).view(b, s, self.heads, self.d).transpose(1, 2)
        k = self.k(h).view(b, s, self.kv_heads, self.d).transpose(1, 2)
        v = self.v(h).view(b, s, self.kv_heads, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = torch.cat([past_k, k], dim=2)
        v = torch.cat([past_v, v], dim=2)
        rep = self.heads // self.kv_heads
        kr = k.repeat_interleave(rep, dim=1)
        vr = v.repeat_interleave(rep, dim=1)
        scores = q @ kr.transpose(-1, -2) / math.sqrt(self.d) + mask
        attn = (scores.softmax(-1) @ vr).transpose(1, 2).reshape(b, s, -1)
        x = x + self.o(attn)
        h = self.norm2(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h)), k, v


class LlamaDecoder(nn.Module):
    def __init__(self, vocab=1000, hidden=64, heads=4, kv_heads=2, ffn=172, layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.layers = nn.ModuleList(
            [LlamaLayer(hidden, heads, kv_heads, ffn) for _ in range(layers)])
        self.norm = RMSNorm(hidden)
        self.lm_head = nn.Linear(hidden, vocab, bias=False)
        d = hidden // heads
        self.register_buffer(
            "inv_freq", 1.0 / (10000 ** (torch.arange(0, d, 2).float() / d)), persistent=False)

    def forward(self, input_ids, past_keys, past_values):
        b, s = input_ids.shape
        past = past_keys.shape[3]
        pos = torch.arange(past, past + s, device=input_ids.device).float()
        freqs = pos[:, None] * self.inv_freq[None, :]
        emb = torch.cat([freqs, freqs], dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        total = past + s
        causal = torch.full((s, total), float("-inf")).triu(past + 1)
        mask = causal[None, None]
        x = self.embed(input_ids)
        new_k, new_v = [], []
        for i, layer in enumerate(self.layers):
            x, k, v = layer(x, cos, sin, mask, past_keys[i], past_values[i])
            new_k.append(k)
            new_v.append(v)
        logits = self.lm_head(self.norm(x))
        return logits, torch.stack(new_k), torch.stack(new_v)


# --- ResNet-style CNN -----------------------------------------------------------
class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return F.relu(y + (self.down(x) if self.down is not None else x))


class ResNetCNN(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 7, 2, 3, bias=False), nn.BatchNorm2d(16),
                                  nn.ReLU(), nn.MaxPool2d(3, 2, 1))
        self.blocks = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 32, 2),
                                    BasicBlock(32, 64, 2))
        self.fc = nn.Linear(64, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.fc(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


# --- ViT --------------------------------------------------------------------------
class ViT(nn.Module):
    def __init__(self, image=32, patch=8, hidden=64, heads=4, mlp=128, classes=10):
        super().__init__()
        self.patch = nn.Conv2d(3, hidden, patch, patch)
        n = (image // patch) ** 2
        self.cls = nn.Parameter(torch.randn(1, 1, hidden) * 0.02)
        self.pos = nn.Parameter(torch.randn(1, n + 1, hidden) * 0.02)
        self.ln1 = nn.LayerNorm(hidden, eps=1e-6)
        self.attn = nn.MultiheadAttention(hidden, heads, batch_first=True)
        self.ln2 = nn.LayerNorm(hidden, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(hidden, mlp), nn.GELU(), nn.Linear(mlp, hidden))
        self.ln = nn.LayerNorm(hidden, eps=1e-6)
        self.head = nn.Linear(hidden, classes)

    def forward(self, pixels):
        x = self.patch(pixels).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls.expand(x.shape[0], -1, -1), x], dim=1) + self.pos
        h = self.ln1(x)
        x = x + self.attn(h, h, h, need_weights=False)[0]
        x = x + self.mlp(self.ln2(x))
        return self.head(self.ln(x)[:, 0])


def randomize_norms(model):
    # Fresh BatchNorm/LayerNorm parameters are trivial (1 and 0); give them
    # values so that folding or dropping them would be visible in tests.
    g = torch.Generator().manual_seed(1)
    for m in model.modules():
        if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
            with torch.no_grad():
                m.weight.copy_(1 + 0.1 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
            m.running_var.copy_(1 + 0.2 * torch.rand(m.running_var.shape, generator=g))


def export(model, args, path, names, outputs, dynamic, opset, dynamo):
    model.eval()
    randomize_norms(model)
    if dynamo:
        torch.onnx.export(model, args, path, input_names=names, output_names=outputs,
                          opset_version=opset, dynamo=True, external_data=False,
                          dynamic_shapes=dynamic)
    else:
        torch.onnx.export(model, args, path, input_names=names, output_names=outputs,
                          opset_version=opset, dynamo=False, dynamic_axes=dynamic)
    print(f"{path}: {os.path.getsize(path) / 1e6:.2f} MB")


def main(out):
    torch.manual_seed(0)
    batch, seq = 2, 16
    ids = torch.randint(0, 1000, (batch, seq))
    mask = torch.ones(batch, seq, dtype=torch.int64)
    types = torch.zeros(batch, seq, dtype=torch.int64)
    export(MiniLMEncoder(), (ids, mask, types), os.path.join(out, "minilm_encoder.onnx"),
           ["input_ids", "attention_mask", "token_type_ids"], ["sentence_embedding"],
           {n: {0: "batch", 1: "sequence"} for n in ["input_ids", "attention_mask", "token_type_ids"]},
           opset=14, dynamo=False)

    torch.manual_seed(1)
    past = 8
    llama = LlamaDecoder()
    pk = torch.randn(2, 1, 2, past, 16)
    pv = torch.randn(2, 1, 2, past, 16)
    export(llama, (torch.randint(0, 1000, (1, 4)), pk, pv),
           os.path.join(out, "llama_decoder.onnx"),
           ["input_ids", "past_keys", "past_values"], ["logits", "present_keys", "present_values"],
           None, opset=18, dynamo=True)

    torch.manual_seed(2)
    export(ResNetCNN(), (torch.randn(1, 3, 64, 64),), os.path.join(out, "resnet_cnn.onnx"),
           ["pixels"], ["logits"], {"pixels": {0: "batch"}}, opset=13, dynamo=False)

    torch.manual_seed(3)
    export(ViT(), (torch.randn(1, 3, 32, 32),), os.path.join(out, "vit_block.onnx"),
           ["pixels"], ["logits"], None, opset=18, dynamo=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
