"""Bilingual messages: every error a learner can cause is explained in Chinese, then English."""


def bilingual(zh: str, en: str) -> str:
    """Join a Chinese and an English sentence into one message, Chinese first."""
    return f"{zh.strip()}\n{en.strip()}"
