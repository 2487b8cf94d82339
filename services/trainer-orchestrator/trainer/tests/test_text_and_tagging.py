import numpy as np

from zhner_trainer.features import Featurizer, Lexicon, Vocab, freq_level, LEX_CATEGORIES
from zhner_trainer.tagging import labels_for, spans_to_tags, tags_to_spans
from zhner_trainer.text import normalise, split_for_model


def test_normalise_is_one_to_one_and_offset_preserving():
    src = "ＮＢＡ　１９９８年ABCｚ😀𠀀"
    out = normalise(src)
    assert len(out) == len(src)
    assert out == "nba 1998年abcz😀𠀀"


def test_split_prefers_sentence_then_comma_then_hard():
    text = "甲乙丙。丁戊己庚，辛壬癸子丑"
    segs = split_for_model(text, 6)
    assert segs[0] == (0, 4)  # after 。
    assert all(e - s <= 6 for s, e in segs)
    assert segs[-1][1] == len(text)
    assert [text[s:e] for s, e in segs] == ["甲乙丙。", "丁戊己庚，", "辛壬癸子丑"]
    assert split_for_model("一二三四五六七", 3) == [(0, 3), (3, 6), (6, 7)]
    assert split_for_model("", 3) == [(0, 0)]


def test_labels_are_sorted_and_scheme_dependent():
    assert labels_for(["PER", "LOC"], "BIO") == ["O", "B-LOC", "I-LOC", "B-PER", "I-PER"]
    assert labels_for(["X"], "BIOES") == ["O", "B-X", "I-X", "E-X", "S-X"]


def test_spans_tags_round_trip_both_schemes():
    spans = [(0, 1, "PER"), (2, 5, "LOC"), (5, 7, "ORG")]
    for scheme in ("BIO", "BIOES"):
        tags = spans_to_tags(8, spans, scheme)
        assert tags_to_spans(tags, scheme) == spans
    assert spans_to_tags(8, spans, "BIOES")[:7] == ["S-PER", "O", "B-LOC", "I-LOC", "E-LOC", "B-ORG", "E-ORG"]


def test_repair_like_conlleval():
    assert tags_to_spans(["I-PER", "I-PER", "O"], "BIO") == [(0, 2, "PER")]
    assert tags_to_spans(["B-PER", "I-LOC", "O"], "BIO") == [(0, 1, "PER"), (1, 2, "LOC")]
    assert tags_to_spans(["B-PER", "I-PER"], "BIOES") == [(0, 2, "PER")]
    assert tags_to_spans(["E-LOC", "O", "B-ORG", "E-ORG", "S-PER"], "BIOES") == [(0, 1, "LOC"), (2, 4, "ORG"), (4, 5, "PER")]
    assert tags_to_spans(["B-ORG", "E-LOC"], "BIOES") == [(0, 1, "ORG"), (1, 2, "LOC")]


def test_featurizer_ids_bigrams_and_lexicon():
    lex = Lexicon({"北京": [(1, 8)], "北京大学": [(2, 5)]}, 4)
    f = Featurizer(Vocab(["<pad>", "<unk>", "北", "京"]), Vocab(["<pad>", "<unk>", "北京", "京</s>"]), lex)
    out = f.featurise("北京大学")
    assert out["input_ids"].tolist() == [2, 3, 1, 1]
    assert out["bigram_ids"].tolist() == [2, 1, 1, 1]
    assert f.featurise("北京")["bigram_ids"].tolist() == [2, 3]
    C = len(LEX_CATEGORIES)
    lv = out["lexicon_levels"]
    assert lv.shape == (4, 3 * C)
    assert lv[0, 0 * C + 1] == 8 and lv[1, 2 * C + 1] == 8  # B-LOC, E-LOC of 北京
    assert lv[0, 0 * C + 2] == 5 and lv[1, 1 * C + 2] == 5 and lv[2, 1 * C + 2] == 5 and lv[3, 2 * C + 2] == 5
    assert int(lv.sum()) == 8 + 8 + 5 * 4


def test_featurizer_normalises_before_lookup():
    f = Featurizer(Vocab(["<pad>", "<unk>", "a"]), None, None)
    assert f.featurise("AＡａ")["input_ids"].tolist() == [2, 2, 2]


def test_freq_levels():
    assert freq_level(1) == 1 and freq_level(3) == 1 and freq_level(4) == 2
    assert freq_level(10 ** 9) == 8


def test_lexicon_file_round_trip(tmp_path):
    lex = Lexicon({"北京": [(1, 8)], "ａｂ": [(0, 1), (3, 2)]}, 5)
    lex.save(tmp_path / "l.gz")
    again = Lexicon.load(tmp_path / "l.gz")
    assert again.words == {"北京": [(1, 8)], "ａｂ": [(0, 1), (3, 2)]} and again.max_word_len == 5
    assert (tmp_path / "l.gz").read_bytes() == (lex.save(tmp_path / "m.gz") or (tmp_path / "m.gz").read_bytes())
    np.testing.assert_array_equal(again.levels("北京"), lex.levels("北京"))
