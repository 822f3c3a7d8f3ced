# Builds Hugging Face style folders for tests/io/huggingface.test.ts and lora.test.ts, with tools
# independent of weightlab: safetensors files written by numpy from the format's spec (8-byte
# little-endian header length, JSON header, raw little-endian data), pytorch_model.bin by torch.save,
# LoRA merges by torch in float64. Usage: python3 huggingface-fixtures.py OUT_DIR; prints a JSON oracle.
import json, os, sys
import numpy as np
import torch

out = sys.argv[1]
rng = np.random.default_rng(19)
V, D, P, L = 40, 16, 24, 2
CODES = {np.dtype('float32'): 'F32', np.dtype('float64'): 'F64'}


def write_safetensors(path, tensors, metadata=None):
    header, offset, blobs = {}, 0, []
    if metadata:
        header['__metadata__'] = metadata
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': CODES[array.dtype], 'shape': list(array.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header).encode()
    with open(path, 'wb') as f:
        f.write(len(text).to_bytes(8, 'little'))
        f.write(text)
        for data in blobs:
            f.write(data)


def gpt2(dtype, classifier=False):
    """A tiny GPT-2 state dict (Conv1D weights are (in, out)); wte doubles as the LM head when tied."""
    s = {'transformer.wte.weight': rng.standard_normal((V, D)), 'transformer.wpe.weight': rng.standard_normal((P, D))}
    for i in range(L):
        h = f'transformer.h.{i}.'
        s[h + 'ln_1.weight'] = 1 + 0.1 * rng.standard_normal(D)
        s[h + 'ln_1.bias'] = 0.1 * rng.standard_normal(D)
        s[h + 'attn.c_attn.weight'] = rng.standard_normal((D, 3 * D))
        s[h + 'attn.c_attn.bias'] = rng.standard_normal(3 * D)
        s[h + 'attn.c_proj.weight'] = rng.standard_normal((D, D))
        s[h + 'attn.c_proj.bias'] = rng.standard_normal(D)
        s[h + 'mlp.c_fc.weight'] = rng.standard_normal((D, 4 * D))
        s[h + 'mlp.c_fc.bias'] = rng.standard_normal(4 * D)
        s[h + 'mlp.c_proj.weight'] = rng.standard_normal((4 * D, D))
        s[h + 'mlp.c_proj.bias'] = rng.standard_normal(D)
    s['transformer.ln_f.weight'] = 1 + 0.1 * rng.standard_normal(D)
    s['transformer.ln_f.bias'] = 0.1 * rng.standard_normal(D)
    if classifier:
        s['score.weight'] = rng.standard_normal((3, D))
    return {k: v.astype(dtype) for k, v in s.items()}


def config(architecture, tie=True):
    return {'architectures': [architecture], 'model_type': 'gpt2', 'n_embd': D, 'n_layer': L, 'vocab_size': V,
            'n_positions': P, 'tie_word_embeddings': tie}


def folder(name):
    path = os.path.join(out, name)
    os.makedirs(path, exist_ok=True)
    return path


def save_json(path, value):
    with open(path, 'w') as f:
        json.dump(value, f, indent=2)


model = gpt2(np.float32)
oracle = {'tensors': {k: {'shape': list(v.shape), 'values': v.ravel().astype(np.float64).tolist()} for k, v in model.items()}}

# (a) single safetensors: save_pretrained leaves the tied lm_head out.
a = folder('single')
save_json(os.path.join(a, 'config.json'), config('GPT2LMHeadModel'))
write_safetensors(os.path.join(a, 'model.safetensors'), model, {'format': 'pt'})

# (b) two shards and their index.
b = folder('sharded')
save_json(os.path.join(b, 'config.json'), config('GPT2LMHeadModel'))
names = list(model)
halves = {'model-00001-of-00002.safetensors': names[: len(names) // 2], 'model-00002-of-00002.safetensors': names[len(names) // 2:]}
for shard, part in halves.items():
    write_safetensors(os.path.join(b, shard), {k: model[k] for k in part})
save_json(os.path.join(b, 'model.safetensors.index.json'),
          {'metadata': {'total_size': int(sum(v.nbytes for v in model.values()))},
           'weight_map': {k: shard for shard, part in halves.items() for k in part}})

# (c) pytorch_model.bin: torch.save keeps the tied head as a second name over the same storage.
c = folder('torch')
save_json(os.path.join(c, 'config.json'), config('GPT2LMHeadModel'))
state = {k: torch.from_numpy(v.copy()) for k, v in model.items()}
state['lm_head.weight'] = state['transformer.wte.weight']
torch.save(state, os.path.join(c, 'pytorch_model.bin'))
# The same file with tie_word_embeddings false: then lm_head is a layer of its own.
u = folder('untied')
save_json(os.path.join(u, 'config.json'), config('GPT2LMHeadModel', tie=False))
torch.save(state, os.path.join(u, 'pytorch_model.bin'))

# (c') pytorch_model.bin shards and pytorch_model.bin.index.json (the tied head in the second shard).
s2 = folder('torch-sharded')
save_json(os.path.join(s2, 'config.json'), config('GPT2LMHeadModel'))
bins = {'pytorch_model-00001-of-00002.bin': names[: len(names) // 2],
        'pytorch_model-00002-of-00002.bin': names[len(names) // 2:] + ['lm_head.weight']}
for shard, part in bins.items():
    torch.save({k: state[k] for k in part}, os.path.join(s2, shard))
save_json(os.path.join(s2, 'pytorch_model.bin.index.json'),
          {'metadata': {}, 'weight_map': {k: shard for shard, part in bins.items() for k in part}})

# (d) hub cache: snapshots/REV/* are relative symlinks into blobs/.
repo = os.path.join(out, 'hub', 'models--tiny--gpt2')
revision = '0123456789abcdef0123456789abcdef01234567'
for sub in ('blobs', 'refs', os.path.join('snapshots', revision)):
    os.makedirs(os.path.join(repo, sub), exist_ok=True)
with open(os.path.join(repo, 'refs', 'main'), 'w') as f:
    f.write(revision)
for name in ('config.json', 'model.safetensors'):
    blob = f'blob-{name.replace(".", "-")}'
    with open(os.path.join(a, name), 'rb') as source, open(os.path.join(repo, 'blobs', blob), 'wb') as target:
        target.write(source.read())
    os.symlink(os.path.join('..', '..', 'blobs', blob), os.path.join(repo, 'snapshots', revision, name))

# (e) LoRA adapters over a float64 base (GPT2ForSequenceClassification-like: a Linear `score` head).
base = gpt2(np.float64, classifier=True)
e = folder('base')
save_json(os.path.join(e, 'config.json'), config('GPT2ForSequenceClassification'))
write_safetensors(os.path.join(e, 'model.safetensors'), base)
t = {k: torch.from_numpy(v.copy()) for k, v in base.items()}
merged = {}

# Adapter 1: Conv1D modules (fan_in_fan_out), r = 4, alpha = 8.
r1, alpha1 = 4, 8
adapter1, expected1 = {}, {}
for i in range(L):
    for module, (fan_in, fan_out) in {f'transformer.h.{i}.attn.c_attn': (D, 3 * D), f'transformer.h.{i}.attn.c_proj': (D, D)}.items():
        A = torch.from_numpy(rng.standard_normal((r1, fan_in)))
        B = torch.from_numpy(rng.standard_normal((fan_out, r1)))
        adapter1[f'base_model.model.{module}.lora_A.weight'] = A.numpy()
        adapter1[f'base_model.model.{module}.lora_B.weight'] = B.numpy()
        expected1[module + '.weight'] = (t[module + '.weight'] + (alpha1 / r1) * (B @ A).T).numpy()
f = folder('lora')
save_json(os.path.join(f, 'adapter_config.json'),
          {'peft_type': 'LORA', 'r': r1, 'lora_alpha': alpha1, 'target_modules': ['c_attn', 'c_proj'],
           'fan_in_fan_out': True, 'use_rslora': False, 'base_model_name_or_path': 'tiny/gpt2'})
write_safetensors(os.path.join(f, 'adapter_model.safetensors'), adapter1)
# The same adapter as older PEFT versions saved it: adapter_model.bin by torch.save.
fb = folder('lora-bin')
with open(os.path.join(f, 'adapter_config.json')) as source:
    save_json(os.path.join(fb, 'adapter_config.json'), json.load(source))
torch.save({k: torch.from_numpy(v) for k, v in adapter1.items()}, os.path.join(fb, 'adapter_model.bin'))

# Adapter 2: rsLoRA on the embedding (lora_embedding_A/B) and on the Linear score head (rank_pattern r = 3).
r2, alpha2, r_score = 2, 3, 3
adapter2, expected2 = {}, {}
A = torch.from_numpy(rng.standard_normal((r2, V)))
B = torch.from_numpy(rng.standard_normal((D, r2)))
adapter2['base_model.model.transformer.wte.lora_embedding_A'] = A.numpy()
adapter2['base_model.model.transformer.wte.lora_embedding_B'] = B.numpy()
expected2['transformer.wte.weight'] = (t['transformer.wte.weight'] + (alpha2 / r2 ** 0.5) * (B @ A).T).numpy()
A = torch.from_numpy(rng.standard_normal((r_score, D)))
B = torch.from_numpy(rng.standard_normal((3, r_score)))
adapter2['base_model.model.score.lora_A.weight'] = A.numpy()
adapter2['base_model.model.score.lora_B.weight'] = B.numpy()
expected2['score.weight'] = (t['score.weight'] + (alpha2 / r_score ** 0.5) * (B @ A)).numpy()
g = folder('rslora')
save_json(os.path.join(g, 'adapter_config.json'),
          {'peft_type': 'LORA', 'r': r2, 'lora_alpha': alpha2, 'target_modules': ['wte', 'score'],
           'fan_in_fan_out': False, 'use_rslora': True, 'rank_pattern': {'score': r_score}})
write_safetensors(os.path.join(g, 'adapter_model.safetensors'), adapter2)

oracle['merged'] = {
    'lora': {k: v.ravel().tolist() for k, v in expected1.items()},
    'rslora': {k: v.ravel().tolist() for k, v in expected2.items()},
}
oracle['base'] = {k: v.ravel().tolist() for k, v in base.items()}
json.dump(oracle, sys.stdout)
