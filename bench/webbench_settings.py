"""Settings for ``bench_web.py``'s server: the product's, plus two bench-only baseline URLs."""

from shuangfang.config.settings import *  # noqa: F403

ROOT_URLCONF = "webbench_urls"
