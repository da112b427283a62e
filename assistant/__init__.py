"""WSIS Assistant: answers from World Summit on the Information Society texts, cited."""
