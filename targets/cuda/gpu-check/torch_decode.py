"""PyTorch/transformers eager decode speed on the same BF16 checkpoint axc benchmarks: a 512-token
prompt, then 128 greedy tokens with the KV cache, batch 1, repeated; prints JSON with medians."""
import argparse, json, statistics, time

import torch
from transformers import AutoModelForCausalLM

p = argparse.ArgumentParser()
p.add_argument("model")
p.add_argument("--prompt-tokens", type=int, default=512)
p.add_argument("--gen-tokens", type=int, default=128)
p.add_argument("--repeat", type=int, default=5)
a = p.parse_args()

model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.bfloat16, attn_implementation="eager").cuda().eval()
g = torch.Generator().manual_seed(1234)
prompt = torch.randint(0, min(model.config.vocab_size, 100_000), (1, a.prompt_tokens), generator=g).cuda()


@torch.inference_mode()
def run():
    torch.cuda.synchronize()
    t0 = time.perf_counter()
    out = model(prompt, use_cache=True)
    torch.cuda.synchronize()
    t1 = time.perf_counter()
    past, tok = out.past_key_values, out.logits[:, -1:].argmax(-1)
    for _ in range(a.gen_tokens):
        out = model(tok, past_key_values=past, use_cache=True)
        past, tok = out.past_key_values, out.logits[:, -1:].argmax(-1)
    torch.cuda.synchronize()
    t2 = time.perf_counter()
    return a.prompt_tokens / (t1 - t0), a.gen_tokens / (t2 - t1)


run()
pp, tg = zip(*[run() for _ in range(a.repeat)])
print(json.dumps({"model": a.model, "backend": "pytorch eager bf16 " + torch.cuda.get_device_name(),
                  "torch": torch.__version__, "prefill_tokens_per_s": statistics.median(pp),
                  "decode_tokens_per_s": statistics.median(tg), "decode_min": min(tg), "decode_max": max(tg)}))
