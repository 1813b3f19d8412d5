"""The portal's own interface text in every supported locale, with BCP 47 tags, direction and plurals.

Content (glossary terms, safety sections) comes translated from the published release; this module
only holds the words of the interface around it. ``en_XA`` is a pseudo-locale generated from the
English strings (accented and bracketed) so untranslated or truncated interface text stands out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

from babel import Locale
from markupsafe import Markup, escape

DEFAULT_LOCALE = "en"

Text: TypeAlias = str | dict[str, str]  # a plain string, or plural category -> string

STRINGS: dict[str, dict[str, Text]] = {
    "en": {
        "site_title": "Patient information",
        "skip_link": "Skip to main content",
        "nav_label": "Main",
        "nav_search": "Search",
        "nav_glossary": "Glossary",
        "nav_safety": "Important Safety Information",
        "languages_label": "Choose a language",
        "search_heading": "Search patient information",
        "search_intro": "Find glossary terms and safety information.",
        "search_label": "Search terms",
        "search_hint": "For example: low platelets",
        "autocomplete_hint": (
            "Suggestions appear as you type. Use the up and down arrow keys to choose one, then press Enter."
        ),
        "suggestions_label": "Suggestions",
        "language_label": "Language",
        "search_button": "Search",
        "results_heading": "Results",
        "partial_results": "Showing results for part of your search.",
        "results_count": {"one": "1 result for “{query}”", "other": "{count} results for “{query}”"},
        "no_results": "No results for “{query}”.",
        "did_you_mean": "Did you mean {suggestion}?",
        "no_results_tips": "Check the spelling, try fewer or more general words, or browse the glossary.",
        "fallback_notice": "Not yet reviewed in your language; shown in English.",
        "kind_glossary": "Glossary term",
        "kind_safety": "Safety information",
        "kind_page": "Page",
        "glossary_heading": "Glossary",
        "glossary_intro": "Medical terms explained in plain language.",
        "az_label": "Jump to a letter",
        "pronunciation": "Pronunciation",
        "definition": "Definition",
        "also_known_as": "Also known as",
        "abbreviation": "Abbreviation",
        "related_safety": "Related safety information",
        "back_to_glossary": "Back to the glossary",
        "safety_heading": "Important Safety Information",
        "boxed_warning_label": "Boxed warning",
        "not_found_title": "Page not found",
        "not_found_text": "We could not find this page. Check the address, or start a new search.",
        "unavailable_title": "This information is not available right now",
        "unavailable_text": "Please try again in a few minutes.",
        "bad_request_title": "This request could not be understood",
        "footer_note": "This information does not replace talking with your healthcare provider.",
    },
    "es": {
        "site_title": "Información para pacientes",
        "skip_link": "Saltar al contenido principal",
        "nav_label": "Principal",
        "nav_search": "Buscar",
        "nav_glossary": "Glosario",
        "nav_safety": "Información importante de seguridad",
        "languages_label": "Elija un idioma",
        "search_heading": "Buscar información para pacientes",
        "search_intro": "Encuentre términos del glosario e información de seguridad.",
        "search_label": "Términos de búsqueda",
        "search_hint": "Por ejemplo: plaquetas bajas",
        "autocomplete_hint": (
            "Las sugerencias aparecen mientras escribe. Use las flechas arriba y "
            "abajo para elegir una y pulse Intro."
        ),
        "suggestions_label": "Sugerencias",
        "language_label": "Idioma",
        "search_button": "Buscar",
        "results_heading": "Resultados",
        "partial_results": "Se muestran resultados para una parte de su búsqueda.",
        "results_count": {"one": "1 resultado para «{query}»", "other": "{count} resultados para «{query}»"},
        "no_results": "No hay resultados para «{query}».",
        "did_you_mean": "¿Quiso decir {suggestion}?",
        "no_results_tips": (
            "Revise la ortografía, pruebe con menos palabras o con palabras más "
            "generales, o consulte el glosario."
        ),
        "fallback_notice": "Aún no se ha revisado en su idioma; se muestra en inglés.",
        "kind_glossary": "Término del glosario",
        "kind_safety": "Información de seguridad",
        "kind_page": "Página",
        "glossary_heading": "Glosario",
        "glossary_intro": "Términos médicos explicados con palabras sencillas.",
        "az_label": "Ir a una letra",
        "pronunciation": "Pronunciación",
        "definition": "Definición",
        "also_known_as": "También conocido como",
        "abbreviation": "Abreviatura",
        "related_safety": "Información de seguridad relacionada",
        "back_to_glossary": "Volver al glosario",
        "safety_heading": "Información importante de seguridad",
        "boxed_warning_label": "Advertencia en recuadro",
        "not_found_title": "Página no encontrada",
        "not_found_text": "No encontramos esta página. Revise la dirección o haga una nueva búsqueda.",
        "unavailable_title": "Esta información no está disponible en este momento",
        "unavailable_text": "Vuelva a intentarlo en unos minutos.",
        "bad_request_title": "No se pudo entender esta solicitud",
        "footer_note": "Esta información no sustituye la conversación con su proveedor de atención médica.",
    },
    "zh_Hans": {
        "site_title": "患者信息",
        "skip_link": "跳到主要内容",
        "nav_label": "主导航",
        "nav_search": "搜索",
        "nav_glossary": "术语表",
        "nav_safety": "重要安全信息",
        "languages_label": "选择语言",
        "search_heading": "搜索患者信息",
        "search_intro": "查找术语解释和安全信息。",
        "search_label": "搜索词",
        "search_hint": "例如：血小板减少",
        "autocomplete_hint": "输入时会显示建议。使用上下方向键选择，然后按回车键。",
        "suggestions_label": "建议",
        "language_label": "语言",
        "search_button": "搜索",
        "results_heading": "搜索结果",
        "partial_results": "仅显示与您搜索的部分内容相关的结果。",
        "results_count": {"other": "找到 {count} 条与“{query}”相关的结果"},
        "no_results": "未找到与“{query}”相关的结果。",
        "did_you_mean": "您要找的是不是 {suggestion}？",
        "no_results_tips": "请检查拼写，尝试更少或更通用的词语，或浏览术语表。",
        "fallback_notice": "尚未经过您所用语言的审核；以英文显示。",
        "kind_glossary": "术语",
        "kind_safety": "安全信息",
        "kind_page": "页面",
        "glossary_heading": "术语表",
        "glossary_intro": "用通俗易懂的语言解释医学术语。",
        "az_label": "按首字母跳转",
        "pronunciation": "发音",
        "definition": "定义",
        "also_known_as": "又称",
        "abbreviation": "缩写",
        "related_safety": "相关安全信息",
        "back_to_glossary": "返回术语表",
        "safety_heading": "重要安全信息",
        "boxed_warning_label": "黑框警告",
        "not_found_title": "找不到页面",
        "not_found_text": "找不到此页面。请检查网址，或重新搜索。",
        "unavailable_title": "此信息暂时无法提供",
        "unavailable_text": "请几分钟后再试。",
        "bad_request_title": "无法理解此请求",
        "footer_note": "本信息不能代替您与医疗保健提供者的交流。",
    },
    "ar": {
        "site_title": "معلومات للمرضى",
        "skip_link": "انتقل إلى المحتوى الرئيسي",
        "nav_label": "التنقل الرئيسي",
        "nav_search": "البحث",
        "nav_glossary": "مسرد المصطلحات",
        "nav_safety": "معلومات السلامة المهمة",
        "languages_label": "اختر اللغة",
        "search_heading": "ابحث في معلومات المرضى",
        "search_intro": "اعثر على المصطلحات الطبية ومعلومات السلامة.",
        "search_label": "كلمات البحث",
        "search_hint": "مثال: انخفاض الصفائح الدموية",
        "autocomplete_hint": (
            "تظهر الاقتراحات أثناء الكتابة. استخدم مفتاحي السهم لأعلى ولأسفل للاختيار، ثم اضغط Enter."
        ),
        "suggestions_label": "اقتراحات",
        "language_label": "اللغة",
        "search_button": "بحث",
        "results_heading": "النتائج",
        "partial_results": "تُعرض نتائج لجزء من بحثك.",
        "results_count": {
            "zero": "لا توجد نتائج لـ «{query}»",
            "one": "نتيجة واحدة لـ «{query}»",
            "two": "نتيجتان لـ «{query}»",
            "few": "{count} نتائج لـ «{query}»",
            "many": "{count} نتيجة لـ «{query}»",
            "other": "{count} نتيجة لـ «{query}»",
        },
        "no_results": "لا توجد نتائج لـ «{query}».",
        "did_you_mean": "هل تقصد {suggestion}؟",
        "no_results_tips": "تحقق من الإملاء، أو جرّب كلمات أقل أو أعم، أو تصفّح مسرد المصطلحات.",
        "fallback_notice": "لم تتم مراجعة هذا المحتوى بلغتك بعد؛ لذا يُعرض باللغة الإنجليزية.",
        "kind_glossary": "مصطلح من المسرد",
        "kind_safety": "معلومات السلامة",
        "kind_page": "صفحة",
        "glossary_heading": "مسرد المصطلحات",
        "glossary_intro": "مصطلحات طبية مشروحة بلغة بسيطة.",
        "az_label": "انتقل إلى حرف",
        "pronunciation": "النطق",
        "definition": "التعريف",
        "also_known_as": "يُعرف أيضًا باسم",
        "abbreviation": "الاختصار",
        "related_safety": "معلومات السلامة ذات الصلة",
        "back_to_glossary": "العودة إلى مسرد المصطلحات",
        "safety_heading": "معلومات السلامة المهمة",
        "boxed_warning_label": "تحذير مؤطر",
        "not_found_title": "الصفحة غير موجودة",
        "not_found_text": "لم نتمكن من العثور على هذه الصفحة. تحقق من العنوان أو ابدأ بحثًا جديدًا.",
        "unavailable_title": "هذه المعلومات غير متاحة حاليًا",
        "unavailable_text": "يُرجى المحاولة مرة أخرى بعد بضع دقائق.",
        "bad_request_title": "تعذّر فهم هذا الطلب",
        "footer_note": "لا تغني هذه المعلومات عن التحدث مع مقدم الرعاية الصحية الخاص بك.",
    },
}

# Accented stand-ins for ASCII letters: the text stays readable while showing what went through i18n.
_PSEUDO = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)


def pseudo(text: str) -> str:
    """The pseudo-localized form of an English string; ``{placeholders}`` are kept as they are."""
    parts = []
    for index, chunk in enumerate(text.replace("}", "{").split("{")):
        # Odd chunks sit between braces: they are placeholder names.
        parts.append("{" + chunk + "}" if index % 2 else chunk.translate(_PSEUDO))
    return "[" + "".join(parts) + "]"


STRINGS["en_XA"] = {
    key: ({form: pseudo(s) for form, s in value.items()} if isinstance(value, dict) else pseudo(value))
    for key, value in STRINGS["en"].items()
}


@dataclass(frozen=True)
class UILocale:
    """A locale the portal can show: its code, BCP 47 tag, direction and name in its own language."""

    code: str
    tag: str
    dir: str
    name: str


LOCALES: dict[str, UILocale] = {
    "en": UILocale("en", "en", "ltr", "English"),
    "es": UILocale("es", "es", "ltr", "Español"),
    "zh_Hans": UILocale("zh_Hans", "zh-Hans", "ltr", "简体中文"),
    "ar": UILocale("ar", "ar", "rtl", "العربية"),
    "en_XA": UILocale("en_XA", "en-XA", "ltr", pseudo("English")),
}


def normalize_locale(value: str | None) -> str | None:
    """The locale code for a user-given value (``zh-Hans`` -> ``zh_Hans``), or None if unsupported."""
    if not value:
        return None
    wanted = value.strip().replace("-", "_").lower()
    for code in LOCALES:
        if code.lower() == wanted:
            return code
    return None


def _plural_form(locale: str, count: int) -> str:
    babel_locale = "en" if locale == "en_XA" else locale
    return Locale.parse(babel_locale).plural_form(count)


def _entry(locale: str, key: str, count: int | None) -> str:
    table = STRINGS.get(locale, STRINGS[DEFAULT_LOCALE])
    entry = table.get(key, STRINGS[DEFAULT_LOCALE][key])
    if isinstance(entry, dict):
        entry = entry.get(_plural_form(locale, count or 0), entry["other"])
    return entry


def text(locale: str, key: str, count: int | None = None, **values: Any) -> str:
    """One interface string in a locale, plural-aware, with ``{name}`` values filled in (not escaped)."""
    entry = _entry(locale, key, count)
    if count is not None:
        values.setdefault("count", count)
    return entry.format(**values) if values else entry


def markup(locale: str, key: str, count: int | None = None, **values: Any) -> Markup:
    """Like `text`, for templates: the string and every value are escaped unless already Markup."""
    entry = Markup(escape(_entry(locale, key, count)))
    if count is not None:
        values.setdefault("count", count)
    return entry.format(**values) if values else entry
