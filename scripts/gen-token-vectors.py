#!/usr/bin/env python3
"""Generate tests/data/token-vectors.json with OpenAI's own `tiktoken`.

Every case is encoded with `Encoding.encode_ordinary` for o200k_base and
cl100k_base. tiktoken cannot download its vocabularies here, so they are read
offline from the `.tiktoken` files that Rust crates ship in their sources
(tiktoken-rs `assets/`, or bpe-openai `data/*.tiktoken.gz`), checked against
the SHA-256 that tiktoken itself expects, and the encodings are rebuilt with
the official split patterns (asserted to be the ones in the installed
`tiktoken_ext/openai_public.py`).

Usage: scripts/gen-token-vectors.py [--vocab-dir DIR] [--out PATH]
Needs `pip install tiktoken` (0.14 was used for the committed file).
"""

import argparse
import glob
import gzip
import hashlib
import inspect
import json
import os
import random
import sys
import tempfile

import tiktoken
import tiktoken_ext.openai_public as openai_public
from tiktoken.load import load_tiktoken_bpe

# Patterns as written in tiktoken_ext/openai_public.py (tiktoken 0.14).
CL100K_PAT = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
O200K_PARTS = [
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
    r"""\p{N}{1,3}""",
    r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
    r"""\s*[\r\n]+""",
    r"""\s+(?!\S)""",
    r"""\s+""",
]
O200K_PAT = "|".join(O200K_PARTS)

ENCODINGS = {
    "o200k_base": {
        "pat_str": O200K_PAT,
        "sha256": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        "special_tokens": {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    },
    "cl100k_base": {
        "pat_str": CL100K_PAT,
        "sha256": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        "special_tokens": {
            "<|endoftext|>": 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            "<|endofprompt|>": 100276,
        },
    },
}


def check_patterns_match_installed_tiktoken():
    source = inspect.getsource(openai_public)
    for part in [CL100K_PAT] + O200K_PARTS:
        if part not in source:
            sys.exit(f"pattern not found in installed tiktoken_ext/openai_public.py: {part}")


def vocab_candidates(name, vocab_dir):
    if vocab_dir:
        yield os.path.join(vocab_dir, f"{name}.tiktoken")
        yield os.path.join(vocab_dir, f"{name}.tiktoken.gz")
    cargo_home = os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))
    src = os.path.join(cargo_home, "registry", "src", "*")
    yield from sorted(glob.glob(os.path.join(src, "tiktoken-rs-*", "assets", f"{name}.tiktoken")))
    yield from sorted(glob.glob(os.path.join(src, "bpe-openai-*", "data", f"{name}.tiktoken.gz")))


def load_vocab_file(name, vocab_dir):
    """Return the path of a plain .tiktoken file whose SHA-256 is the official one."""
    expected = ENCODINGS[name]["sha256"]
    for path in vocab_candidates(name, vocab_dir):
        if not os.path.exists(path):
            continue
        with open(path, "rb") as f:
            raw = f.read()
        if path.endswith(".gz"):
            raw = gzip.decompress(raw)
        if hashlib.sha256(raw).hexdigest() != expected:
            print(f"skipping {path}: unexpected SHA-256", file=sys.stderr)
            continue
        plain = os.path.join(tempfile.mkdtemp(prefix="tokvec-"), f"{name}.tiktoken")
        with open(plain, "wb") as f:
            f.write(raw)
        return path, plain
    sys.exit(
        f"no {name}.tiktoken found; run `cargo fetch` in the crate (bpe-openai ships it) "
        "or pass --vocab-dir"
    )


def build_encoding(name, vocab_dir):
    source, plain = load_vocab_file(name, vocab_dir)
    spec = ENCODINGS[name]
    enc = tiktoken.Encoding(
        name=name,
        pat_str=spec["pat_str"],
        mergeable_ranks=load_tiktoken_bpe(plain),
        special_tokens=spec["special_tokens"],
    )
    return enc, source


PROSE = (
    "The borrow checker rejects this program because the reference outlives the value it "
    "points to. Move the allocation into the caller, or return an owned String instead.\n\n"
    "Tokenizers cut text into pieces before byte-pair merging; each piece is merged on its own."
)

RUST = '''fn main() {
    let words: Vec<&str> = "a b c".split(' ').collect();
    for (i, w) in words.iter().enumerate() {
        println!("{i}: {w:?}");
    }
}
'''

PYTHON = '''def fib(n: int) -> int:
\t"""Return the n-th Fibonacci number."""
\ta, b = 0, 1
\tfor _ in range(n):
\t\ta, b = b, a + b
\treturn a  # done
'''

JS = '''const total = items.reduce((acc, x) => acc + x.price * 1.2, 0);
document.querySelector("#out").textContent = `Total: ${total.toFixed(2)}`;
// TODO: handle NaN === NaN?
'''

SQL = '''SELECT u.id, COUNT(*) AS lessons
FROM users u JOIN progress p ON p.user_id = u.id
WHERE p.completed_at >= '2024-01-01' AND u.email LIKE '%@example.org'
GROUP BY u.id HAVING COUNT(*) > 3 ORDER BY lessons DESC;'''

FIXED_CASES = [
    ("empty", ""),
    ("english prose", PROSE),
    ("rust code", RUST),
    ("python code with tabs", PYTHON),
    ("javascript code", JS),
    ("sql query", SQL),
    ("chinese", "我们正在学习分词器如何切分文本。这是第二句话！"),
    ("japanese mixed scripts", "東京の天気は晴れです。カタカナとひらがなと漢字、ＡＢＣ１２３。"),
    ("korean", "안녕하세요, 토크나이저를 배우고 있습니다."),
    ("arabic", "مرحبا بالعالم، هذا نص عربي مع أرقام ١٢٣٤٥ وعلامات التشكيل: كَتَبَ"),
    ("hindi", "नमस्ते दुनिया! यह हिंदी में एक वाक्य है, संख्या १२३ के साथ।"),
    ("emoji skin tones", "👋🏽 hi 👍🏿👍🏻 thumbs 🙌🏼!"),
    ("emoji zwj family", "family: 👨\u200d👩\u200d👧\u200d👦 and 👩\u200d❤\ufe0f\u200d💋\u200d👨 and 🏳\ufe0f\u200d🌈"),
    ("combining acute", "cafe\u0301 re\u0301sume\u0301 e\u0301 E\u0301COLE"),
    ("combining marks alone", "\u0301\u0302\u0303 a\u0308\u0308\u0308 \u0301x"),
    ("spaces runs", "a  b   c    d     e      f"),
    ("tabs and newlines mixed", "x\t\ty\n\n\nz \t \n \t\nw\r\n\r\nv"),
    ("trailing spaces", "end with spaces   "),
    ("trailing newline", "line\n"),
    ("trailing mixed whitespace", "words \n \t \n  "),
    ("leading whitespace", "   \n\t  start"),
    ("only newlines", "\n\n\n\n"),
    ("crlf", "one\r\ntwo\r\n\r\nthree\r"),
    ("unicode whitespace", "a\u00a0b\u3000c\u2003d\u2028e\u0085f \u00a0 g"),
    ("long digits", "3141592653589793238462643383279502884197169399375105820974944592 and 1,000,000.50"),
    ("digits mixed", "v1.2.3 0x1F 2024-06-01T12:30:00Z ² ⅻ ١٢٣"),
    ("urls", "See https://example.com/path/to/page?query=a%20b&x=1#frag or http://127.0.0.1:8080/api/v1/tokenize."),
    ("endoftext as text", "before <|endoftext|> after <|endofprompt|><|fim_prefix|>"),
    ("contractions lower", "i'm we're they've she'll he'd it's don't"),
    ("contractions upper", "I'M WE'RE THEY'VE SHE'LL HE'D IT'S DON'T"),
    ("contractions mixed case", "I'm We'Re tHEY'Ve 's 'S 'll 'LL 'x"),
    ("curly apostrophes", "they’ll we’re I’M don’t ‘quoted’"),
    ("long s and kelvin", "it'ſ ſtate \u212a 'ſ"),
    ("mixed case words", "HTMLParser getHTTPResponseCode iPhone McDonald XMLHttpRequest CamelCase ALLCAPS lowerUPPERlower"),
    ("title case and modifier letters", "ǅemal ǈ ʰello ªbc ĲssEL ᾈ"),
    ("punctuation runs", "!!! ??? ... --- /// /* */ // => := ::<>() {}[] \\n"),
    ("slashes and newlines", "path/to/\n//\n/\r\n"),
    ("long run a", "a" * 5000),
    ("long run spaces", " " * 3000),
    ("long run spaces then word", " " * 3000 + "word"),
    ("long run newlines", "\n" * 2000),
    ("long run digits", "7" * 1000),
    ("long run emoji", "😀" * 500),
    ("long run cjk", "字" * 1000),
    ("long run exclamation", "!" * 1000),
    ("markdown lesson", "# Lesson 3\n\n- **Bold** and _italic_\n- `code`\n\n```rust\nlet x = 1;\n```\n\n> Quote.\n"),
    ("html", '<p class="note">Hello&nbsp;<b>world</b></p>\n<!-- comment -->'),
    ("json", '{"text": "héllo", "count_only": true, "n": [1, 2.5e-3, null]}'),
]

ALPHABET_GROUPS = [
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "0123456789",
    " " * 6 + "\t\n\r",
    "\u00a0\u3000\u2003\u0085\u2028",
    "'’\"`.,;:!?-_/\\()[]{}<>@#$%^&*+=|~",
    "éèêëçñøåßÉÈÇÑØÅ",
    "\u0301\u0308\u0327\u093f\u094d\u064e",
    "ſ\u212aǅǈʰªĲᾈ",
    "我们学习字词東京カタカナひらがな한국어",
    "مرحبابالعالم",
    "नमस्तेदुनिया",
    "²⅓ⅻ١٢٣",
    "😀👍🏽👨\u200d👩\u200d👧🎉❤\ufe0f🏳\u200d🌈",
]


def random_cases(count, seed):
    rng = random.Random(seed)
    cases = []
    for n in range(count):
        groups = rng.sample(ALPHABET_GROUPS, rng.randint(1, 4))
        pool = "".join(groups)
        length = rng.randint(1, 80)
        text = "".join(rng.choice(pool) for _ in range(length))
        cases.append((f"random {n}", text))
    return cases


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab-dir", help="directory with <name>.tiktoken[.gz] files")
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "data", "token-vectors.json"))
    args = parser.parse_args()

    check_patterns_match_installed_tiktoken()
    encodings = {}
    meta = {}
    for name in ENCODINGS:
        enc, source = build_encoding(name, args.vocab_dir)
        encodings[name] = enc
        meta[name] = {
            "pat_str": ENCODINGS[name]["pat_str"],
            "vocab_sha256": ENCODINGS[name]["sha256"],
            "vocab_source": os.path.basename(os.path.dirname(os.path.dirname(source))),
        }

    cases = []
    for name, text in FIXED_CASES + random_cases(400, seed=20240601):
        case = {"name": name, "text": text}
        for enc_name, enc in encodings.items():
            case[enc_name] = enc.encode_ordinary(text)
        cases.append(case)

    doc = {
        "generator": "scripts/gen-token-vectors.py",
        "tiktoken_version": tiktoken.__version__,
        "encodings": meta,
        "cases": cases,
    }
    out = os.path.abspath(args.out)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {len(cases)} cases to {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
