"""WSIS Assistant: answers about World Summit on the Information Society texts, cited by paragraph."""
