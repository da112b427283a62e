"""The reader's fast judge at answer time: the trained cross-encoder, run by onnxruntime.

It reads a question and a paragraph together and gives a logit: how surely the paragraph
answers the question. The model is built once on the machine (:mod:`.training`) and exported
to ONNX next to its weights, so that answering never imports PyTorch; both live in the model
cache under a name derived from what shaped them.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from assistant.reader.bundled_model import ModelUnavailable
from assistant.reader.training import (
    TrainingParameters,
    cache_key,
    make_pairs,
    read_questions,
    train,
    training_catalog,
)
from corpus.settings import Settings
from ingest.embedding import model_path

if TYPE_CHECKING:
    from onnxruntime import InferenceSession
    from tokenizers import Tokenizer

MODEL_FILE = "model.onnx"
#: Fewer questions than this found in the training documents cannot train a judge.
MIN_POSITIVES = 200
INFO_FILE = "built.json"


class RelevanceModel:
    """Scores (question, paragraph) pairs with the exported cross-encoder."""

    def __init__(self, folder: Path, batch_size: int = 16) -> None:
        self.folder = Path(folder)
        if not (self.folder / MODEL_FILE).is_file():
            raise ModelUnavailable(
                f"no relevance model in {self.folder}; "
                "build it with `wsis reader build --relevance`"
            )
        info = json.loads((self.folder / INFO_FILE).read_text(encoding="utf-8"))
        self.max_length = int(info["max_length"])
        self.batch_size = batch_size

    @cached_property
    def session(self) -> InferenceSession:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = 2
        return onnxruntime.InferenceSession(
            str(self.folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    @cached_property
    def tokenizer(self) -> Tokenizer:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
        tokenizer.no_padding()
        tokenizer.enable_truncation(self.max_length, strategy="only_second")
        return tokenizer

    def logits(self, question: str, texts: Sequence[str]) -> list[float]:
        """One logit per text: above 0, the model thinks it answers the question."""
        if not texts:
            return []
        encodings = self.tokenizer.encode_batch([(question, t) for t in texts])
        out = np.zeros(len(texts), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids), reverse=True)
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            width = len(encodings[rows[0]].ids)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for row, i in enumerate(rows):
                encoding = encodings[i]
                n = len(encoding.ids)
                ids[row, :n] = encoding.ids
                mask[row, :n] = 1
                types[row, :n] = encoding.type_ids
            logits = self.session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            )[0]
            out[rows] = logits.reshape(-1)
        return out.tolist()


# --- Building ---------------------------------------------------------------------------------


def model_folder(settings: Settings, parameters: TrainingParameters | None = None) -> Path:
    """Where the relevance model for these settings is, once built."""
    key = cache_key(
        settings.reader_questions,
        settings.reader_training_dirs,
        model_path(settings.embedding_model),
        parameters or TrainingParameters(),
    )
    return settings.model_cache_dir / f"relevance-{key}"


def build(
    settings: Settings,
    parameters: TrainingParameters | None = None,
    report: Callable[[str], None] = print,
) -> Path:
    """The relevance model for these settings: found in the cache, or trained from the
    teacher's questions over the training documents and exported (minutes on two cores)."""
    parameters = parameters or TrainingParameters()
    folder = model_folder(settings, parameters)
    if (folder / MODEL_FILE).is_file():
        report(f"Relevance model: {folder} (built before)")
        return folder
    folders = ", ".join(map(str, settings.reader_training_dirs))
    report(f"Reading the documents the training questions were written from ({folders})")
    catalog = training_catalog(settings.reader_training_dirs)
    pairs = make_pairs(read_questions(settings.reader_questions), catalog, parameters)
    positives = sum(1 for p in pairs if p.label > 0.5)
    if positives < MIN_POSITIVES:
        raise ModelUnavailable(
            f"only {positives} of the teacher's questions name paragraphs of the documents in "
            f"{folders}; the relevance model needs the documents they were written from "
            "(set WSIS_READER_TRAINING_DIRS to their folders)"
        )
    report(f"Training the relevance model on {len(pairs)} pairs ({positives} answering)")
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder.parent, prefix=".build-") as tmp:
        work = Path(tmp)
        trained = train(pairs, model_path(settings.embedding_model), work / "weights", parameters)
        info = {"pairs": len(pairs), "positives": positives, **asdict(parameters)}
        (trained / INFO_FILE).write_text(json.dumps(info, indent=1), encoding="utf-8")
        export(trained)
        os.replace(trained, folder)
    report(f"Relevance model: {folder}")
    return folder


def export(folder: Path) -> Path:
    """The trained cross-encoder in ``folder`` as ONNX beside it, checked against the PyTorch
    model's own scores."""
    import torch
    from sentence_transformers.cross_encoder import CrossEncoder

    reference = CrossEncoder(str(folder), device="cpu")
    network: Any = reference.model
    network.eval()

    class Scorer(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.network = network

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.network(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).logits

    pairs = [
        ("Will the Internet Governance Forum become permanent?", "The Forum shall be permanent."),
        ("Who finances broadband?", "Recalling its earlier resolutions on the information society"),
    ]
    example = reference.tokenizer(
        [q for q, _ in pairs], [p for _, p in pairs], padding=True, return_tensors="pt"
    )
    names = ("input_ids", "attention_mask", "token_type_ids")
    batch, sequence = torch.export.Dim("batch"), torch.export.Dim("sequence")
    with torch.no_grad():
        torch.onnx.export(
            Scorer().eval(),
            tuple(example[n] for n in names),
            str(folder / MODEL_FILE),
            input_names=list(names),
            output_names=["logits"],
            dynamic_shapes={n: {0: batch, 1: sequence} for n in names},
            dynamo=True,
            external_data=False,
            verbose=False,
        )
    want = np.asarray(reference.predict(pairs, activation_fn=torch.nn.Identity())).reshape(-1)
    exported = RelevanceModel(folder)
    got = [exported.logits(question, [text])[0] for question, text in pairs]
    if not np.allclose(got, want, atol=1e-3):
        raise ModelUnavailable(
            f"the ONNX export of the relevance model scores {got}, PyTorch {want.tolist()}"
        )
    return folder / MODEL_FILE
