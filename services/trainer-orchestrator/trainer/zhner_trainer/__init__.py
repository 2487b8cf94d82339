"""zhner_trainer: trains, fine-tunes and exports the character-level Chinese NER models.

Entry point: ``python -m zhner_trainer {train,finetune,export,validate} ...`` (see README.md).
"""

__version__ = "0.1.0"
