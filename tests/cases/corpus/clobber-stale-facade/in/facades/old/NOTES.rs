// Hand-written notes.
