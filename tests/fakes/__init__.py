"""Stand-ins for things the tests cannot have: a Piper voice file and Google's TTS endpoint.

Both are real at the boundary that matters: the stand-in voice is a genuine ONNX model loaded by the
real `piper-tts` code, and the fake Google is a real HTTP server on loopback answering in Google's
response shape, reached through the real `requests` stack.
"""
from tests.fakes.google import FakeGoogle, fake_google  # noqa: F401
from tests.fakes.piper_voice import make_piper_voice

__all__ = ["FakeGoogle", "fake_google", "make_piper_voice"]
