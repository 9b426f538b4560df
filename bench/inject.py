"""Inject spam and legitimate links into a real page's own structure, with the truth in memory.

Used by bench/bench_links_injected.py on the AEB pages (../shared/extraction/aeb). Every block is
put where a real theme or a real injector puts it: inside the page's footer, sidebar, comment
list or article container when the page has one, else in a block of its own near the end of
``<body>`` (or after the article). All anchors and domains below were written for this benchmark
and are checked against the detector's rule files and the test fixtures (``overlap_with``), so
the figures measure how the detector generalises, not how well it knows its own examples.

Deterministic: every choice comes from the ``random.Random`` the caller passes in.
"""

from __future__ import annotations

import html as htmlmod
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

import lxml.html
from lxml import etree

# ---------------------------------------------------------------------------
# Spam anchors: (language, text) per vertical. Commercial on purpose: shop, money or
# product words of the vertical, often phrased differently from the common keyword lists.

COMMERCIAL: dict[str, tuple[tuple[str, str], ...]] = {
    # casinos, slots, sports betting, lotteries
    "gambling": (
        ("en", "Real money pokies for Aussie players"), ("en", "Mega888 APK download latest version"),
        ("en", "trusted online betting site Malaysia"), ("en", "claim 200 free chips today"),
        ("en", "live dealer roulette tables"), ("en", "crash gambling with USDT deposits"),
        ("en", "Best Pokies Sites Australia 2024"), ("en", "sweepstakes cash games no purchase"),
        ("en", "cricket betting ID provider"), ("en", "daily jackpot tournaments with instant payout"),
        ("id", "daftar akun hoki terbaru"), ("id", "situs toto resmi terpercaya"),
        ("id", "bocoran pola gacor malam ini"), ("id", "link login mpo terbaru"),
        ("de", "Online Spielothek mit Echtgeld"), ("de", "seriöse Buchmacher im Test"),
        ("nl", "gokken met iDEAL betalen"), ("nl", "beste online casino's van Nederland"),
        ("pl", "legalne kasyno z szybkimi wypłatami"), ("pl", "zakłady na żużel online"),
        ("fr", "meilleur casino en ligne fiable"), ("fr", "paris hippiques sur le tiercé en direct"),
        ("tr", "güvenilir bahis sitesi giriş adresi"), ("pt", "roleta ao vivo com bônus de boas-vindas"),
        ("vi", "nhà cái uy tín nhất hôm nay"), ("th", "เว็บสล็อตแตกง่ายล่าสุด"),
    ),
    # payday, instalment and "no check" lending
    "loans": (
        ("en", "same day cash till payday"), ("en", "borrow $500 with no paperwork"),
        ("en", "guaranteed approval installment plans"), ("en", "emergency cash for poor credit history"),
        ("en", "car title lending near Phoenix AZ"), ("en", "fast approval personal funding"),
        ("en", "consolidate your credit cards today"), ("en", "get a cash advance in 15 minutes"),
        ("id", "pinjaman tanpa jaminan cair hari ini"), ("id", "aplikasi dana cepat resmi OJK"),
        ("pl", "szybka pożyczka bez BIK"), ("pl", "kredyt gotówkowy przez internet"),
        ("de", "Kredit trotz negativer Schufa"), ("de", "Geld leihen ohne Papierkram"),
        ("es", "préstamo personal en 10 minutos"), ("es", "dinero urgente sin aval"),
        ("nl", "direct geld op je rekening zonder BKR"), ("fr", "prêt personnel accepté en 24h"),
    ),
    # counterfeit watches, bags, sneakers
    "replica": (
        ("en", "AAA grade Submariner clones"), ("en", "1:1 designer bags wholesale"),
        ("en", "mirror quality Daytona watch"), ("en", "luxury handbag dupes free shipping"),
        ("en", "cheap Air Jordan 4 retro sale"), ("en", "swiss movement watch copies"),
        ("en", "Yupoo designer sneakers catalog"), ("en", "Birkin dupe for sale"),
        ("fr", "sac de luxe copie conforme"), ("fr", "montre copie haut de gamme"),
        ("de", "Uhren Kopien kaufen"), ("de", "Designer Taschen Imitat"),
        ("es", "bolsos imitación de marca"), ("it", "orologi repliche di lusso"),
    ),
    # essay mills and exam-taking services
    "essays": (
        ("en", "pay for a research paper online"), ("en", "cheap lab report writers"),
        ("en", "get your nursing capstone done"), ("en", "hire a thesis statement expert"),
        ("en", "college admission essay editors"), ("en", "take my GED test for me"),
        ("en", "plagiarism-free assignments overnight"), ("en", "someone to write my dissertation chapter"),
        ("de", "Ghostwriter für Seminararbeit gesucht"), ("id", "joki tugas kuliah murah"),
        ("id", "jasa ketik makalah kilat"), ("fr", "aide à la rédaction de thèse"),
        ("es", "hacer mi tesis de grado"), ("pl", "pisanie prac licencjackich na zlecenie"),
    ),
    # prescription drugs without prescription, pills, steroids
    "pharma": (
        ("en", "generic Sildalis next day delivery"), ("en", "order Tapentadol overnight"),
        ("en", "buy Ozempic without a script"), ("en", "cheap Accutane online"),
        ("en", "Finasteride with no doctor visit"), ("en", "semaglutide weight loss shots online"),
        ("en", "pregabalin 300 mg worldwide shipping"), ("en", "legit Dianabol cycle for sale"),
        ("de", "Potenzpillen rezeptfrei bestellen"), ("fr", "acheter du Levitra sans ordonnance"),
        ("id", "obat pelangsing paling ampuh"), ("es", "pastillas para adelgazar rápido"),
        ("pl", "tabletki na potencję bez recepty"),
    ),
    # crypto schemes and recovery scams
    "crypto": (
        ("en", "double your BTC in 24 hours"), ("en", "AI arbitrage bot 3% daily"),
        ("en", "claim the PEPE presale bonus"), ("en", "recover scammed USDT fast"),
        ("en", "best copy trading signals group"), ("en", "passive income with staking pools"),
        ("en", "Bitcoin doubler legit"), ("en", "hire a crypto recovery hacker"),
        ("de", "Bitcoin Trading Software Erfahrungen"), ("pt", "robô de criptomoedas com lucro diário"),
        ("ru", "заработок на криптовалюте без вложений"), ("id", "investasi kripto untung harian"),
    ),
    # link selling, followers, rankings
    "seo": (
        ("en", "1000 DA50+ contextual links"), ("en", "niche edits from real sites"),
        ("en", "boost your Google Maps ranking"), ("en", "buy aged expired domains"),
        ("en", "cheap SMM reseller panel"), ("en", "high authority guest blogging"),
        ("en", "get 10k Instagram likes"), ("en", "white hat link packages"),
        ("en", "rank #1 on Google in 30 days"), ("id", "jasa optimasi website halaman satu"),
        ("de", "Linkaufbau Agentur günstig"), ("es", "comprar enlaces de calidad"),
        ("nl", "autoriteit links kopen voor je webshop"),
    ),
    # wheels, tyres, parts
    "car_parts": (
        ("en", "18 inch bronze wheels clearance"), ("en", "used transmissions with warranty"),
        ("en", "OEM brake pads wholesale"), ("en", "aftermarket bumpers for Hilux"),
        ("en", "5x112 alloys free fitting"), ("en", "second-hand engines delivered"),
        ("nl", "lichtmetalen wielen voordelig"), ("nl", "complete wielset met winterbanden"),
        ("de", "Sommerreifen günstig online"), ("de", "Felgen mit Gutachten kaufen"),
        ("pl", "używane części do BMW"), ("fr", "pneus pas chers livraison gratuite"),
        ("id", "velg racing murah jakarta"),
    ),
    # dating, cams, porn
    "adult": (
        ("en", "hot singles in your area tonight"), ("en", "uncensored webcam girls"),
        ("en", "naughty chat with mature women"), ("en", "free nude live shows"),
        ("en", "sugar daddy dating site"), ("en", "OnlyFans free leaked content"),
        ("de", "private Sexkontakte finden"), ("id", "video viral tanpa sensor"),
        ("es", "chicas en vivo gratis sin registro"), ("pl", "randki dla dorosłych bez zobowiązań"),
    ),
}

# Commenter "names" that are shop keywords (comment author spam), with the site they link to.
KEYWORD_NAMES: tuple[tuple[str, str, str], ...] = (
    ("en", "Mega888 Free Credit", "mega88-freecredit.com"), ("en", "Cheap Moving Boxes Toronto", "movingboxes-to.ca"),
    ("en", "Pokies Real Money AU", "pokies-au.net"), ("en", "Best Nursing Paper Writers", "nursingwriters.net"),
    ("en", "Buy Ozempic Online", "semaglutide-shop.co"), ("en", "Crypto Recovery Expert", "recoverwallet.pro"),
    ("en", "Used Engines For Sale", "engineshop-usa.com"), ("en", "Local SEO Agency Dubai", "seo-dubai.ae"),
    ("en", "Payday Cash Fast", "paycashfast.net"), ("en", "Replica Watches UK", "replicauk.co.uk"),
    ("en", "Emergency Plumber Leeds", "plumberleeds24.co.uk"), ("en", "Escort Girls Karachi", "karachi-girls.pk"),
    ("id", "Jasa Pembuatan Website Murah", "webmurah.id"), ("id", "Agen Toto Terpercaya", "agentoto88.vip"),
    ("id", "Obat Herbal Asam Urat", "herbalasamurat.id"), ("de", "Umzug Berlin Günstig", "umzug-berlin-billig.de"),
    ("nl", "Velgen Actie Webshop", "velgenactie.nl"), ("pl", "Tanie Opony Warszawa", "opony-warszawa.pl"),
    ("fr", "Voyance Gratuite Par Téléphone", "voyance-direct.fr"), ("es", "Préstamos Rápidos México", "prestamos-mx.com"),
)

# Off-topic but harmless-looking titles with no shop word: only off-topic, language, hidden
# and density signals can catch them.
PLAIN: tuple[tuple[str, str], ...] = (
    ("en", "A Weekend Walking the Cotswold Way"), ("en", "How to Repot an Overgrown Monstera"),
    ("en", "Why My Sourdough Starter Smells Like Acetone"), ("en", "Restoring a 1970s Teak Sideboard"),
    ("en", "Beginner Tips for Night Fishing on Lakes"), ("en", "The History of Lighthouses in Maine"),
    ("en", "Choosing Roof Insulation for an Old Barn"), ("en", "Learning the Ukulele After Forty"),
    ("en", "Ten Quiet Campsites in the Scottish Highlands"), ("en", "Keeping Backyard Chickens Through Winter"),
    ("de", "Die schönsten Wanderwege im Allgäu"), ("de", "Tipps für den ersten Gemüsegarten"),
    ("de", "Wie man einen Kachelofen richtig heizt"), ("nl", "Fietsen langs de Hollandse molens"),
    ("nl", "Zo onderhoud je een houten vloer"), ("nl", "De leukste uitjes met kinderen in Zeeland"),
    ("id", "cara merawat ikan cupang agar sehat"), ("id", "resep rendang padang asli"),
    ("id", "tempat wisata alam di sekitar Malang"), ("pl", "jak zrobić domowy chleb na zakwasie"),
    ("pl", "najpiękniejsze szlaki w Bieszczadach"), ("fr", "randonnée dans les gorges du Verdon"),
    ("fr", "comment entretenir un potager en hiver"), ("es", "las mejores playas de Menorca"),
    ("es", "cómo cuidar un bonsái en interior"), ("it", "ricetta della pasta alla norma"),
    ("it", "i borghi più belli delle Marche"), ("pt", "dicas para cuidar de suculentas em casa"),
    ("sv", "vandra längs Kungsleden på hösten"),
)

# Spinner templates: one choice per slot; variants of one base differ in one or two slots.
SPUN_BASES: tuple[tuple[tuple[str, ...], ...], ...] = (
    (("Exploring", "Discovering", "Uncovering", "Checking out"), ("the Hidden Magic", "the Secret Charm", "the Concealed Wonder"),
     ("of", "in", "from"), ("the Lofoten Fjord Villages",)),
    (("The Ultimate", "The Supreme", "The Greatest"), ("Manual", "Handbook", "Guide"), ("to",),
     ("Residence Appliance", "House Equipment", "Home Appliance"), ("Roof structure Servicing", "Roof Upkeep Restoration")),
    (("Unlocking", "Unveiling", "Revealing"), ("the Strategies", "the Tricks", "the Keys"), ("Behind", "Guiding", "Within"),
     ("Effective Modern", "Powerful Present-day"), ("Pallet Racking Installation",)),
    (("Why You Need to", "Reasons You Should", "Why It Is Best to"), ("Consider", "Think about", "Contemplate"),
     ("a Professional Gutter", "a Specialist Rain gutter"), ("Cleansing Company", "Cleaning Business", "Cleaning Provider")),
    (("Navigating", "Steering Through", "Browsing"), ("the Globe", "the World", "the Planet"), ("of",),
     ("Vintage Caravan", "Antique Camper"), ("Renovation Tasks", "Remodelling Projects", "Improvement Jobs")),
    (("Everything", "All Things", "Whatever"), ("You Need to Know", "You Have to Understand"), ("About", "Concerning", "Regarding"),
     ("Basalt Kitchen Countertop", "Volcanic Stone Cooking area Worktop"), ("Sealing Solutions", "Securing Services")),
)

# Spam domains per vertical (brandable names as often as keyword names, many TLDs).
DOMAINS: dict[str, tuple[str, ...]] = {
    "gambling": ("pokieroyale-au.com", "mega88apk.app", "hokijaya77.xyz", "totoresmi4d.vip", "spielothek-echtgeld.de",
                 "oranjewin.nl", "luckyspin-club.io", "bahisgiris365.net", "wygrana24.pl", "pariszen.fr", "qqfortune.asia"),
    "loans": ("cashtillfriday.com", "quickfund-direct.net", "danacepat-ojk.id", "pozyczkanadzis.pl", "kreditfix24.de",
              "prestamoya.mx", "leenexpress.nl", "fundnow-usa.com"),
    "replica": ("perfectclone-watches.com", "luxdupe-store.net", "mirrorgrade.shop", "yupoo-kicks.cc", "montrecopie.fr",
                "uhren-kopie.de", "topdupes.vip"),
    "essays": ("paperhelpers.net", "nursingcapstone-pro.com", "thesismasters.org", "jokitugas.id", "redaction-these.fr",
               "ghostwriter-agentur.de", "gradeboosters.co"),
    "pharma": ("rxovernight-meds.com", "pillpharm24.net", "semaglutide-direct.co", "apotheke-diskret.de",
               "pharmaciesansordo.fr", "obatasli-indo.id", "gainzlab.ru"),
    "crypto": ("btcdouble24.io", "arbibot-ai.com", "pepepresale.live", "usdtrecovery-team.com", "cryptoprofit-hub.net",
               "lucrocripto.com.br", "coinvault-recovery.org"),
    "seo": ("rankrocket-links.com", "nichedit-pro.net", "agedomains.shop", "smmking-panel.com", "optimasiweb.id",
            "linkaufbau24.de", "authoritylinks.nl"),
    "car_parts": ("wheelclearance-depot.com", "usedtransmission-pros.com", "wielenwereld.nl", "reifen-billig24.de",
                  "czesciauto-uzywane.pl", "velgracing.id", "enginesdirect.co.uk"),
    "adult": ("hotsingles-near.com", "camdolls.live", "sugarmatch.club", "sexkontakte-privat.de", "viraltanpasensor.xyz",
              "citasadultas.es", "datingflirt.pl"),
    "plain": ("cotswoldrambles.co.uk", "greenthumbdiary.net", "lighthouse-trails.org", "bergpfade.de", "molenfietsen.nl",
              "wisataalamku.id", "szlakigorskie.pl", "potager-facile.fr", "menorca-calas.es", "borghimarche.it",
              "suculentasemcasa.com.br", "kungsleden-vandring.se", "tealrestore.com", "nightangler.net"),
}

# ---------------------------------------------------------------------------
# Legitimate furniture: navigation words per page language, theme credits, social networks.

NAV_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("Home", "About", "Contact", "Archive", "Newsletter"),
    "de": ("Startseite", "Über uns", "Kontakt", "Archiv"),
    "pt": ("Início", "Sobre", "Contato", "Arquivo"),
    "it": ("Home", "Chi siamo", "Contatti", "Archivio"),
    "id": ("Beranda", "Tentang", "Kontak", "Arsip"),
    "ru": ("Главная", "О нас", "Контакты", "Архив"),
    "ko": ("홈", "소개", "연락처", "보관함"),
    "ja": ("ホーム", "概要", "お問い合わせ", "アーカイブ"),
}
PRIVACY_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("Privacy Policy", "Cookie Policy", "Terms of Use", "Do Not Sell My Personal Information"),
    "de": ("Datenschutzerklärung", "Impressum", "Cookie-Einstellungen"),
    "pt": ("Política de Privacidade", "Termos de Uso", "Política de Cookies"),
    "it": ("Informativa sulla privacy", "Cookie policy", "Termini di servizio"),
    "id": ("Kebijakan Privasi", "Syarat dan Ketentuan", "Disclaimer"),
    "ru": ("Политика конфиденциальности", "Пользовательское соглашение"),
    "ko": ("개인정보처리방침", "이용약관"),
    "ja": ("プライバシーポリシー", "利用規約"),
}
# (theme, vendor, vendor URL): some vendors are on the detector's platform list, some are not.
THEMES: tuple[tuple[str, str, str], ...] = (
    ("Hestia", "ThemeIsle", "https://themeisle.com/"), ("Hueman", "Nimbus Themes", "https://presscustomizr.com/"),
    ("Zakra", "ThemeGrill", "https://zakratheme.com/"), ("ColorMag", "ThemeGrill", "https://themegrill.com/"),
    ("Ashe", "WP Royal", "https://wp-royal.com/"), ("Kale", "LyraThemes", "https://www.lyrathemes.com/"),
    ("Newsup", "Themeansar", "https://themeansar.com/"), ("Sparkle Mag", "Templateify", "https://www.templateify.com/"),
    ("Magazine Pro", "StudioPress", "https://www.studiopress.com/"), ("Neve", "ThemeIsle", "https://themeisle.com/"),
    ("MH Magazine lite", "MH Themes", "https://mhthemes.com/"), ("Savona", "Optima Themes", "https://optimathemes.com/"),
)
# (network, share URL template with {u}, share label, profile URL template with {s}, profile label)
SOCIAL: tuple[tuple[str, str, str, str, str], ...] = (
    ("facebook", "https://www.facebook.com/sharer/sharer.php?u={u}", "Share on Facebook", "https://www.facebook.com/{s}", "Facebook"),
    ("twitter", "https://twitter.com/intent/tweet?url={u}", "Tweet", "https://x.com/{s}", "Follow us on X"),
    ("pinterest", "https://pinterest.com/pin/create/button/?url={u}", "Pin it", "https://www.pinterest.com/{s}/", "Pinterest"),
    ("whatsapp", "https://api.whatsapp.com/send?text={u}", "WhatsApp", "https://www.instagram.com/{s}/", "Instagram"),
    ("linkedin", "https://www.linkedin.com/shareArticle?mini=true&url={u}", "Share on LinkedIn",
     "https://www.linkedin.com/company/{s}", "LinkedIn"),
    ("reddit", "https://www.reddit.com/submit?url={u}", "Reddit", "https://www.youtube.com/@{s}", "Subscribe on YouTube"),
    ("telegram", "https://t.me/share/url?url={u}", "Telegram", "https://www.tiktok.com/@{s}", "TikTok"),
    ("fediverse", "https://toot.kytta.dev/?text={u}", "Share on Mastodon", "https://fosstodon.org/@{s}", "Mastodon"),
    ("bluesky", "https://bsky.app/intent/compose?text={u}", "Share on Bluesky", "https://bsky.app/profile/{s}.bsky.social", "Bluesky"),
)
COMMENT_PRAISE = (
    "Thanks for sharing this, very informative.", "Great post, I learned a lot from it.",
    "Nice article. Bookmarked for later!", "Very useful, keep up the good work.",
    "I have been looking for this kind of write-up for a while, thanks.", "Interesting read, shared it with my friends.",
)
COMMENTER_NAMES = ("Maria Gonzalez", "Tom Becker", "Aisha Rahman", "Pieter de Vries", "Kasia Nowak", "Daniel Okafor", "Yuki Tanaka")
BLOCK_TITLES = ("Links", "Partners", "Friends", "Useful links", "Sponsors", "Recommended sites", "Blogroll", "Resources")
HIDDEN_STYLES = (
    ("display:none", "display:none"), ("visibility:hidden", "visibility:hidden"), ("font-size:0", "font-size:0px"),
    ("off-screen", "position:absolute;left:-9999px"), ("hidden attribute", None),
)
# Stylesheet rules an injector adds with its block; {s} is the block's selector.
SHEET_RULES = (
    ("display:none", "{s}{{display:none}}"), ("visibility:hidden", "{s} {{visibility:hidden;}}"),
    ("off-screen", "{s}{{position:absolute;left:-7777px;top:0}}"), ("font-size:0", "{s} {{font-size:0;line-height:0}}"),
    ("display:none !important", "{s} {{display:none !important}}"), ("descendant a", "{s} a{{display:none}}"),
)
CSS_NAMES = ("ftr-partners", "lnk-grp", "sponsor-box", "seo-block", "wp-lnks", "bl-foot", "ext-refs", "pg-credits")

SPAM_PLACEMENTS = (
    "footer_credit", "footer_links", "sidebar_widget", "popular_posts", "blogroll", "comment_author",
    "comment_body", "hidden_inline", "hidden_css", "spun", "foreign", "dense_block",
)
LEGIT_KINDS = ("nav", "labels", "related_own", "theme_credit", "share", "social", "privacy")
# Legit kinds that come with the comment placements (commenters with real names, permalinks).
COMMENT_LEGIT = ("commenter_name", "comment_meta")


@dataclass(kw_only=True)
class Injected:
    """One injected ``<a href>`` and what it is."""

    placement: str
    """For spam one of ``SPAM_PLACEMENTS``; for legitimate links one of ``LEGIT_KINDS`` / ``COMMENT_LEGIT``."""
    spam: bool
    text: str
    href: str
    technique: str = ""
    """How it is hidden or built (``display:none``, ``in footer``, ``internal`` …), for the breakdown."""
    vertical: str = ""
    """Spam vertical (``gambling`` …), ``plain`` for non-commercial spam, ``spun``, or "" for legit links."""
    lang: str = "en"
    commercial: bool = False
    """True when the anchor carries shop or vertical words; False for the harmless-looking kind."""


@dataclass(kw_only=True)
class Site:
    """What the injector knows about the page it writes into."""

    url: str
    base: str
    """scheme://host of the page."""
    name: str
    language: str
    """Language of the page body (the clean extraction's)."""
    platform: str
    """``blogger`` or ``wordpress``: the markup style of injected widgets and comments."""
    terms: list[str] = field(default_factory=list)
    """Frequent content words of the article (labels, on-topic titles)."""
    phrases: list[str] = field(default_factory=list)
    """On-topic titles for the site's own posts."""


# ---------------------------------------------------------------------------
# Page text and site facts

PARSER = lxml.html.HTMLParser(remove_comments=False, huge_tree=True)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_TOKEN = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)
_EN_STOP = frozenset(
    "the a an and or but of to in on for with at by from as is are was were be been it its this that these those "
    "he she they we you i his her their our your not no so if than then there here what which who whom when where why "
    "how all any some more most also just about into over after before up down out can could would should will may "
    "might said says one two new like time year years people".split()
)


def decode(raw: bytes) -> str:
    """UTF-8, else the declared charset, else cp1252."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        m = _META_CHARSET.search(raw[:8192])
        try:
            return raw.decode(m.group(1).decode("ascii") if m else "cp1252", errors="replace")
        except LookupError:
            return raw.decode("cp1252", errors="replace")


def parse(text: str):
    return lxml.html.document_fromstring(text, parser=PARSER)


def serialize(tree) -> str:
    doctype = tree.getroottree().docinfo.doctype
    return (doctype + "\n" if doctype else "") + lxml.html.tostring(tree, encoding="unicode", method="html")


def site_for(url: str, truth: str, language: str, platform: str, rng) -> Site:
    parts = urlsplit(url)
    host = parts.hostname or "example.org"
    name = host.removeprefix("www.").split(".")[0].replace("-", " ").title()
    if platform not in ("blogger", "wordpress"):
        platform = rng.choice(("blogger", "wordpress"))
    terms = _key_terms(truth)
    return Site(url=url, base=f"{parts.scheme or 'https'}://{host}", name=name, language=language,
                platform=platform, terms=terms, phrases=_own_titles(truth, terms, language, rng))


def _key_terms(text: str, n: int = 8) -> list[str]:
    counts: dict[str, int] = {}
    shown: dict[str, str] = {}
    for word in _TOKEN.findall(text):
        low = word.lower().strip("'’-")
        if len(low) < 4 or low in _EN_STOP:
            continue
        counts[low] = counts.get(low, 0) + 1
        if word[0].isupper() or low not in shown:
            shown[low] = word.strip("'’-")
    ranked = sorted(counts, key=lambda w: (not shown[w][:1].isupper(), -counts[w], w))
    return [shown[w] for w in ranked[:n]]


_EN_TEMPLATES = ("{a}: what we know so far", "Five things to know about {a}", "Why {a} matters for {b}",
                 "{a} and {b}, explained", "The week in {a}", "What comes next for {a}")


def _own_titles(text: str, terms: list[str], language: str, rng, n: int = 6) -> list[str]:
    """Titles of the site's own on-topic posts: fragments of the article's sentences, and on
    English pages also headline templates around its key terms."""
    sentences = [s.split() for s in re.split(r"(?<=[.!?])\s+", text) if 6 <= len(s.split()) <= 30]
    titles = []
    for words in rng.sample(sentences[1:], min(n, len(sentences) - 1)) if len(sentences) > 1 else []:
        title = " ".join(words[: rng.randint(5, 8)]).strip(" ,;:—-“”\"'")
        titles.append(title[:1].upper() + title[1:])
    if language == "en" and len(terms) >= 2:
        for _ in range(n // 2):
            a, b = rng.sample(terms[:6], 2)
            titles.append(rng.choice(_EN_TEMPLATES).format(a=a, b=b))
    return titles or [t.title() for t in terms[:3]] or [f"More from {language}"]


def slug(text: str) -> str:
    words = re.findall(r"\w+", text.lower())
    return quote("-".join(words[:8]) or "post", safe="-")


# ---------------------------------------------------------------------------
# Where things go in the page

_BODY_CLASSES = re.compile(
    r"(?:^|\s)(?:entry-content|post-body|post-content|article-body|article-content|article__body|story-body|"
    r"td-post-content|single-content|the-content|articleBody|story-content)(?:\s|$)"
)
_FOOTER = re.compile(r"^(?:[\w-]*[-_])?(?:footer|colophon|site-info)(?:[-_][\w-]*)?$", re.I)
_SIDEBAR = re.compile(r"^(?:[\w-]*[-_])?(?:sidebar|widget-area)(?:[-_][\w-]*)?$|^secondary$", re.I)
_LAYOUT = re.compile(r"^(?:has|no|with|is)[-_]|content.*sidebar|sidebar.*content|layout", re.I)
_COMMENT_LIST = re.compile(r"(?:^|\s)(?:comment-list|commentlist)(?:\s|$)")
_COMMENTS = re.compile(r"^(?:comments|comments-area)$")


def _named(el, pattern) -> bool:
    names = (el.get("class") or "").split() + [el.get("id") or ""]
    return any(n and pattern.search(n) and not _LAYOUT.search(n) for n in names)


def _in_article(el) -> bool:
    return any(a.tag == "article" or _BODY_CLASSES.search(a.get("class") or "") for a in el.iterancestors())


class Spots:
    """The page's own footer, sidebar, comment list, navigation and article container."""

    def __init__(self, tree) -> None:
        self.tree = tree
        self.body = tree.find("body") if tree.find("body") is not None else tree
        self.article = self._first(lambda el: el.get("itemprop") == "articleBody" or _BODY_CLASSES.search(el.get("class") or ""))
        if self.article is None:
            self.article = self._first(lambda el: el.tag == "article")
        wrappers = set(self.article.iterancestors()) if self.article is not None else set()
        outside = lambda el: el not in wrappers and el is not self.article and not _in_article(el)  # noqa: E731
        self.footer = self._outermost(lambda el: (el.tag == "footer" or _named(el, _FOOTER)) and outside(el), last=True)
        self.sidebar = self._outermost(lambda el: (el.tag == "aside" or _named(el, _SIDEBAR)) and outside(el))
        self.comment_list = self._first(lambda el: el.tag in ("ol", "ul") and _COMMENT_LIST.search(el.get("class") or ""))
        self.comments = self._first(lambda el: any(_COMMENTS.match(n) for n in (el.get("id") or "", *(el.get("class") or "").split())))
        self.nav = self._first(lambda el: el.tag == "nav" and outside(el))

    def _first(self, test):
        return next((el for el in self.body.iterdescendants() if isinstance(el.tag, str) and test(el)), None)

    def _outermost(self, test, last: bool = False):
        found = [el for el in self.body.iterdescendants() if isinstance(el.tag, str) and test(el)]
        members = set(found)
        top = [el for el in found if not any(a in members for a in el.iterancestors())]
        return (top[-1] if last else top[0]) if top else None

    @staticmethod
    def link_list(region):
        """A list of at least three links inside ``region`` (the theme's own footer menu or widget)."""
        if region is None:
            return None
        return next((ul for ul in region.iter("ul") if sum(1 for li in ul if li.tag == "li" and li.find("a") is not None) >= 3), None)

    # insertion points -----------------------------------------------------

    def to_footer(self, el) -> str:
        where = "page footer"
        if self.footer is None:
            self.footer = etree.SubElement(self.body, "footer", {"class": "site-footer", "id": "colophon"})
            where = "new footer"
        self.footer.append(el)
        return where

    def to_sidebar(self, el, platform: str) -> str:
        if self.sidebar is None:
            attrs = {"id": "sidebar", "class": "sidebar section"} if platform == "blogger" else {"id": "secondary", "class": "widget-area"}
            self.sidebar = etree.Element("div" if platform == "blogger" else "aside", attrs)
            if self.footer is not None and self.footer.getparent() is not None:
                self.footer.addprevious(self.sidebar)
            else:
                self.body.append(self.sidebar)
            where = "new sidebar"
        else:
            where = "page sidebar"
        self.sidebar.append(el)
        return where

    def after_article(self, el) -> str:
        if self.article is not None and self.article.getparent() is not None:
            _add_after(self.article, el)
            return "after article"
        return self.near_end(el)

    def near_end(self, el) -> str:
        if self.footer is not None and self.footer.getparent() is not None and not _in_article(self.footer):
            self.footer.addprevious(el)
        else:
            self.body.append(el)
        return "end of body"

    def in_article(self, el) -> str:
        if self.article is None:
            return self.near_end(el)
        self.article.append(el)
        return "in article"

    def at_start(self, el) -> str:
        self.body.insert(0, el)
        return "start of body"

    def to_nav(self, el) -> str:
        if self.nav is not None:
            self.nav.append(el)
            return "page nav"
        self.body.insert(0, el)
        return "new nav"


def _add_after(ref, el) -> None:
    """Insert ``el`` after ``ref`` without moving ``ref``'s tail text behind it."""
    tail, ref.tail = ref.tail, None
    ref.addnext(el)
    el.tail = (el.tail or "") + (tail or "")


# ---------------------------------------------------------------------------
# The injector

UGC = ' rel="nofollow ugc"'
WP_AUTHOR = ' class="url" rel="ugc external nofollow"'
NOFOLLOW = ' rel="nofollow"'


def _e(text: str) -> str:
    return htmlmod.escape(text, quote=True)


class Injector:
    """Writes blocks into one parsed page and keeps the truth for every anchor it adds."""

    def __init__(self, tree, site: Site, rng) -> None:
        self.tree = tree
        self.site = site
        self.rng = rng
        self.spots = Spots(tree)
        self.truth: list[Injected] = []
        self._comment_no = 0

    # anchors ---------------------------------------------------------------

    def a(self, item: Injected, attrs: str = "") -> str:
        """An ``<a>`` carrying a ``data-bi`` marker (removed before the audit) and the truth entry."""
        self.truth.append(item)
        return f'<a href="{_e(item.href)}"{attrs} data-bi="{len(self.truth) - 1}">{_e(item.text)}</a>'

    def spam(self, placement: str, plain_share: float, technique: str = "", langs=None) -> Injected:
        """A fresh spam anchor: commercial, or with probability ``plain_share`` a harmless off-topic title."""
        if self.rng.random() < plain_share:
            lang, text = self._pick(PLAIN, langs)
            vertical, commercial = "plain", False
        else:
            vertical = self.rng.choice(sorted(COMMERCIAL))
            lang, text = self._pick(COMMERCIAL[vertical], langs)
            commercial = True
        href = f"https://{self.rng.choice(DOMAINS[vertical])}/{slug(text)}"
        if self.rng.random() < 0.3:
            href = href.rsplit("/", 1)[0] + "/"
        return Injected(placement=placement, spam=True, text=text, href=href, technique=technique,
                        vertical=vertical, lang=lang, commercial=commercial)

    def _pick(self, pool, langs):
        """A (lang, text) from the pool, never in the page's language unless English anchors are wanted."""
        choices = [p for p in pool if (langs is None or p[0] in langs) and (p[0] != self.site.language or p[0] == "en")]
        choices = [p for p in choices if p[1] not in {t.text for t in self.truth}] or choices
        return self.rng.choice(choices or pool)

    def own(self, path: str) -> str:
        return self.site.base + path

    def post_url(self, title: str) -> str:
        s = slug(title)
        if self.site.platform == "blogger":
            return self.own(f"/{self.rng.choice(('2023', '2024'))}/{self.rng.randint(1, 12):02d}/{s[:40]}.html")
        return self.own(f"/{s}/")

    def label_url(self, label: str) -> str:
        if self.site.platform == "blogger":
            return self.own(f"/search/label/{quote(label)}")
        return self.own(f"/{self.rng.choice(('category', 'tag'))}/{slug(label)}/")

    def fragment(self, markup: str):
        return lxml.html.fragment_fromstring(markup, parser=PARSER)

    def widget(self, title: str, inner: str, kind: str) -> str:
        """A sidebar widget in the page's platform markup."""
        if self.site.platform == "blogger":
            wtype = {"links": "LinkList", "html": "HTML", "popular": "PopularPosts", "blogroll": "BlogList", "labels": "Label"}[kind]
            return (f'<div class="widget {wtype}" data-version="2" id="{wtype}{self.rng.randint(1, 9)}">'
                    f'<h3 class="title">{_e(title)}</h3><div class="widget-content">{inner}</div></div>')
        wclass = {"links": "widget_links", "html": "widget_custom_html", "popular": "widget_recent_entries",
                  "blogroll": "widget_links", "labels": "widget_categories"}[kind]
        return (f'<section id="{wclass.replace("_", "-")}-{self.rng.randint(2, 9)}" class="widget {wclass}">'
                f'<h2 class="widget-title">{_e(title)}</h2>{inner}</section>')

    def ul(self, items: list[Injected], attrs: str = "") -> str:
        return "<ul>" + "".join(f"<li>{self.a(i, attrs)}</li>" for i in items) + "</ul>"

    # spam placements -------------------------------------------------------

    def footer_credit(self) -> None:
        item = self.spam("footer_credit", 0.15)
        verb = self.rng.choice(("Designed by", "Theme by", "Template by", "Developed by", "Supported by"))
        year = self.rng.randint(2019, 2024)
        line = f'<div class="site-info">Copyright © {year} {_e(self.site.name)}. All rights reserved. {verb} {self.a(item)}</div>'
        item.technique = self.spots.to_footer(self.fragment(line))

    def footer_links(self) -> None:
        items = [self.spam("footer_links", 0.35) for _ in range(self.rng.randint(2, 4))]
        own_list = self.spots.link_list(self.spots.footer)
        if own_list is not None and self.rng.random() < 0.5:  # slipped into the theme's own footer menu
            for i in items:
                own_list.append(self.fragment(f"<li>{self.a(i)}</li>"))
                i.technique = "footer's own list"
            return
        if self.rng.random() < 0.5:
            markup = '<div class="footer-links">' + self.ul(items) + "</div>"
        else:
            markup = '<p class="footer-text">' + " | ".join(self.a(i) for i in items) + "</p>"
        where = self.spots.to_footer(self.fragment(markup))
        for i in items:
            i.technique = where

    def sidebar_widget(self) -> None:
        items = [self.spam("sidebar_widget", 0.3) for _ in range(self.rng.randint(1, 3))]
        own_list = self.spots.link_list(self.spots.sidebar)
        if own_list is not None and self.rng.random() < 0.3:  # added to one of the sidebar's own lists
            for i in items:
                own_list.append(self.fragment(f"<li>{self.a(i)}</li>"))
                i.technique = "sidebar's own list"
            return
        if self.rng.random() < 0.5:
            inner, kind = self.ul(items), "links"
        else:
            inner = "<p>" + ". ".join(f"{self.rng.choice(('Visit', 'Check', 'See also'))} {self.a(i)}" for i in items) + ".</p>"
            kind = "html"
        where = self.spots.to_sidebar(self.fragment(self.widget(self.rng.choice(BLOCK_TITLES), inner, kind)), self.site.platform)
        for i in items:
            i.technique = where

    def popular_posts(self) -> None:
        """The site's own posts list with injected posts of the hacked blog among them (internal links)."""
        own = [Injected(placement="related_own", spam=False, text=t, href="", technique="among injected posts") for t in self._own_sample(3)]
        spam = [self.spam("popular_posts", 0.5, technique="internal") for _ in range(self.rng.randint(1, 2))]
        items = own + spam
        self.rng.shuffle(items)
        for i in items:
            i.href = self.post_url(i.text)
        self._posts_widget(self.rng.choice(("Popular Posts", "Recent Posts", "Trending")), items)

    def _posts_widget(self, title: str, items: list[Injected]) -> None:
        if self.site.platform == "blogger":
            inner = "<ul>" + "".join(
                f'<li><div class="item-content"><div class="item-title">{self.a(i)}</div></div></li>' for i in items) + "</ul>"
        else:
            inner = self.ul(items)
        self.spots.to_sidebar(self.fragment(self.widget(title, inner, "popular")), self.site.platform)

    def blogroll(self) -> None:
        items = [self.spam("blogroll", 0.4) for _ in range(self.rng.randint(3, 5))]
        where = self.spots.to_sidebar(self.fragment(self.widget(self.rng.choice(("Blogroll", "Blog Friends", "Sahabat Blogger")),
                                                                self.ul(items), "blogroll")), self.site.platform)
        for i in items:
            i.technique = where

    def comment_author(self) -> None:
        comments = [self._keyword_commenter() for _ in range(self.rng.randint(1, 2))] + [self._named_commenter()]
        self.rng.shuffle(comments)
        self._comments(comments)

    def comment_body(self) -> None:
        comments = []
        for _ in range(self.rng.randint(1, 2)):
            item = self.spam("comment_body", 0.2)
            lead = self.rng.choice(("I found more on this here:", "Also worth a look:", "Thanks! Related:", "Good read. See"))
            comments.append((None, f"{self.rng.choice(COMMENT_PRAISE)} {lead} {self.a(item, UGC)}"))
        comments.append(self._named_commenter())
        self._comments(comments)

    def hidden_inline(self) -> None:
        technique, style = self.rng.choice(HIDDEN_STYLES)
        items = [self.spam("hidden_inline", 0.4, technique=technique) for _ in range(self.rng.randint(1, 4))]
        attr = ' hidden=""' if style is None else f' style="{style}"'
        markup = f"<div{attr}>" + " ".join(self.a(i) for i in items) + "</div>"
        self._hide_somewhere(self.fragment(markup), items)

    def hidden_css(self) -> None:
        technique, rule = self.rng.choice(SHEET_RULES)
        name = f"{self.rng.choice(CSS_NAMES)}{self.rng.randint(1, 99)}"
        by_id = self.rng.random() < 0.4
        selector = f"#{name}" if by_id else f".{name}"
        items = [self.spam("hidden_css", 0.4, technique=technique) for _ in range(self.rng.randint(1, 4))]
        attr = f'id="{name}"' if by_id else f'class="{name}"'
        markup = f"<div {attr}>" + self.ul(items) + "</div>"
        css = rule.format(s=selector)
        head = self.tree.find("head")
        if head is not None and self.rng.random() < 0.5:
            etree.SubElement(head, "style").text = css
            self._hide_somewhere(self.fragment(markup), items)
        else:  # injectors often ship the rule with the block
            self._hide_somewhere(self.fragment(f"<div><style>{css}</style>{markup}</div>"), items)

    def _hide_somewhere(self, el, items: list[Injected]) -> None:
        where = self.rng.choice(("start", "footer", "article", "end"))
        done = {"start": self.spots.at_start, "footer": self.spots.to_footer, "article": self.spots.in_article,
                "end": self.spots.near_end}[where](el)
        for i in items:
            i.technique += f" / {done}"

    def spun(self) -> None:
        """Spinner variants of one nonsense title, posted on the hacked site itself."""
        base = self.rng.choice(SPUN_BASES)
        first = [self.rng.choice(slot) for slot in base]
        titles = {" ".join(first)}
        wanted = self.rng.randint(2, 4)
        for _ in range(50):
            if len(titles) >= wanted:
                break
            variant = list(first)
            for k in self.rng.sample(range(len(base)), 2):
                variant[k] = self.rng.choice(base[k])
            titles.add(" ".join(variant))
        items = [Injected(placement="spun", spam=True, text=t, href="", technique="internal", vertical="spun") for t in sorted(titles)]
        own = [Injected(placement="related_own", spam=False, text=t, href="", technique="among spun posts") for t in self._own_sample(2)]
        mixed = items + own
        self.rng.shuffle(mixed)
        for i in mixed:
            i.href = self.post_url(i.text)
        self._posts_widget(self.rng.choice(("Recent Posts", "Latest", "Popular Posts")), mixed)

    def foreign(self) -> None:
        langs = sorted({lang for lang, _ in PLAIN + sum(COMMERCIAL.values(), ())} - {"en", self.site.language})
        items = [self.spam("foreign", 0.5, langs=langs) for _ in range(self.rng.randint(1, 3))]
        if self.rng.random() < 0.5:
            where = self.spots.to_sidebar(self.fragment(self.widget(self.rng.choice(BLOCK_TITLES), self.ul(items), "links")), self.site.platform)
        else:
            where = self.spots.to_footer(self.fragment('<div class="footer-widget">' + self.ul(items) + "</div>"))
        for i in items:
            i.technique = where

    def dense_block(self) -> None:
        items, domains = [], set()
        while len(items) < self.rng.randint(6, 10):
            item = self.spam("dense_block", 0.5)
            domain = item.href.split("/")[2]
            if domain not in domains:
                domains.add(domain)
                items.append(item)
        title = f"<h4>{_e(self.rng.choice(BLOCK_TITLES))}</h4>"
        if self.rng.random() < 0.5:
            where = self.spots.to_footer(self.fragment(f'<div class="footer-partners">{title}{self.ul(items)}</div>'))
        else:
            where = self.spots.to_sidebar(self.fragment(self.widget(self.rng.choice(BLOCK_TITLES), self.ul(items), "links")), self.site.platform)
        for i in items:
            i.technique = where

    # comments --------------------------------------------------------------

    def _keyword_commenter(self) -> tuple:
        lang, name, domain = self._pick(KEYWORD_NAMES, None)
        href = f"https://{domain}/"
        item = Injected(placement="comment_author", spam=True, text=name, href=href, vertical="keyword_name",
                        lang=lang, commercial=True)
        return item, _e(self.rng.choice(COMMENT_PRAISE))

    def _named_commenter(self) -> tuple:
        name = self.rng.choice(COMMENTER_NAMES)
        handle = slug(name).replace("-", "")
        href = f"https://{handle}.blogspot.com/" if self.rng.random() < 0.5 else f"https://www.{handle}.net/"
        return Injected(placement="commenter_name", spam=False, text=name, href=href), _e(self.rng.choice(COMMENT_PRAISE))

    def _comments(self, comments: list[tuple]) -> None:
        blogger = self.site.platform == "blogger"
        items = "".join(self._blogger_comment(a, t) if blogger else self._wp_comment(a, t) for a, t in comments)
        spots = self.spots
        if spots.comment_list is not None and not blogger:
            for li in lxml.html.fragments_fromstring(items, parser=PARSER):
                spots.comment_list.append(li)
            where = "page comment list"
        else:
            count = len(comments)
            if blogger:
                section = (f'<div class="comments" id="comments"><a name="comments"></a><h4>{count} comments:</h4>'
                           f'<div class="comments-content"><div class="comment-thread"><ol>{items}</ol></div></div></div>')
            else:
                section = (f'<div id="comments" class="comments-area"><h2 class="comments-title">{count} thoughts on “{_e(self.site.name)}”</h2>'
                           f'<ol class="comment-list">{items}</ol></div>')
            if spots.comments is not None:
                spots.comments.append(self.fragment(section))
                where = "page comments"
            else:
                where = spots.after_article(self.fragment(section))
        for t in self.truth:
            if t.placement in ("comment_author", "comment_body") and not t.technique:
                t.technique = where

    def _meta_link(self, cid: int, text: str) -> str:
        return self.a(Injected(placement="comment_meta", spam=False, text=text, href=f"{self.site.url}#comment-{cid}"))

    def _author(self, author, attrs: str) -> str:
        return self.a(author, attrs) if author is not None else "Anonymous"

    def _wp_comment(self, author, text: str) -> str:
        self._comment_no += 1
        cid = 4000 + self._comment_no
        return (f'<li id="comment-{cid}" class="comment even thread-even depth-1"><article id="div-comment-{cid}" class="comment-body">'
                f'<footer class="comment-meta"><div class="comment-author vcard">'
                f'<img alt="" src="https://secure.gravatar.com/avatar/{cid}?s=56" class="avatar" height="56" width="56">'
                f'<b class="fn">{self._author(author, WP_AUTHOR)}</b> <span class="says">says:</span></div>'
                f'<div class="comment-metadata">{self._meta_link(cid, "March 3, 2024 at 4:12 am")}</div></footer>'
                f'<div class="comment-content"><p>{text}</p></div>'
                f'<div class="reply"><a rel="nofollow" class="comment-reply-link" href="#comment-{cid}" data-commentid="{cid}">Reply</a></div>'
                f"</article></li>")

    def _blogger_comment(self, author, text: str) -> str:
        self._comment_no += 1
        cid = 70000 + self._comment_no
        return (f'<li class="comment" id="c{cid}"><div class="avatar-image-container"><img src="//resources.blogblog.com/img/blank.gif"></div>'
                f'<div class="comment-block"><div class="comment-header"><cite class="user">{self._author(author, NOFOLLOW)}</cite>'
                f'<span class="icon user"></span>'
                f'<span class="datetime secondary-text">{self._meta_link(cid, "April 2, 2024 at 9:41 PM")}</span></div>'
                f'<p class="comment-content">{text}</p><span class="comment-actions secondary-text">'
                f'<a class="comment-reply" target="_self" data-comment-id="{cid}">Reply</a></span></div></li>')

    # legitimate links ------------------------------------------------------

    def _own_sample(self, n: int) -> list[str]:
        unused = [t for t in self.site.phrases if t not in {i.text for i in self.truth}]
        return self.rng.sample(unused, min(n, len(unused))) if unused else self.site.phrases[:n]

    def nav(self) -> None:
        words = NAV_WORDS.get(self.site.language, NAV_WORDS["en"])
        items = [Injected(placement="nav", spam=False, text=words[0], href=self.site.base + "/")]
        items += [Injected(placement="nav", spam=False, text=w, href=self.own(f"/{slug(w)}/")) for w in words[1:]]
        items += [Injected(placement="nav", spam=False, text=t, href=self.label_url(t)) for t in self.site.terms[:3]]
        markup = '<div class="menu-main-container"><ul id="primary-menu" class="menu">' + "".join(
            f'<li class="menu-item">{self.a(i)}</li>' for i in items) + "</ul></div>"
        if self.spots.nav is None:
            markup = f'<nav id="site-navigation" class="main-navigation">{markup}</nav>'
        self.spots.to_nav(self.fragment(markup))

    def labels(self) -> None:
        terms = self.site.terms[: self.rng.randint(3, 6)]
        items = [Injected(placement="labels", spam=False, text=t, href=self.label_url(t)) for t in terms]
        if self.rng.random() < 0.5:  # a label line under the post
            for i in items:
                i.technique = "label line"
            cls = "post-labels" if self.site.platform == "blogger" else "cat-links"
            markup = f'<div class="{cls}">Labels: ' + ", ".join(self.a(i, ' rel="tag"') for i in items) + "</div>"
            self.spots.after_article(self.fragment(markup))
        else:
            for i in items:
                i.technique = "labels widget"
            self.spots.to_sidebar(self.fragment(self.widget("Labels" if self.site.platform == "blogger" else "Categories",
                                                            self.ul(items), "labels")), self.site.platform)

    def related_own(self) -> None:
        items = [Injected(placement="related_own", spam=False, text=t, href="", technique="related box")
                 for t in self._own_sample(self.rng.randint(3, 4))]
        for i in items:
            i.href = self.post_url(i.text)
        cls = self.rng.choice(("related-posts", "jp-relatedposts", "yarpp-related", "crp_related"))
        inner = "".join(f'<div class="related-post">{self.a(i)}</div>' for i in items)
        heading = self.rng.choice(("Related", "You may also like", "More stories"))
        self.spots.after_article(self.fragment(f'<div class="{cls}"><h3>{heading}</h3>{inner}</div>'))

    def theme_credit(self) -> None:
        if self.site.platform == "blogger":
            items = [Injected(placement="theme_credit", spam=False, text="Blogger", href="https://www.blogger.com", technique="blogger")]
            line = f'<div class="widget Attribution" id="Attribution1"><div class="widget-content">Powered by {self.a(items[0])}.'
            if self.rng.random() < 0.6:
                _, vendor, url = self.rng.choice(THEMES)
                line += " Template by " + self.a(Injected(placement="theme_credit", spam=False, text=vendor, href=url, technique="blogger"))
            line += "</div></div>"
        else:
            theme, vendor, url = self.rng.choice(THEMES)
            wp = Injected(placement="theme_credit", spam=False, text=self.rng.choice(("WordPress", "Proudly powered by WordPress")),
                          href="https://wordpress.org/", technique="wordpress")
            line = (f'<div class="site-info">{self.a(wp)} <span class="sep"> | </span> Theme: {_e(theme)} by '
                    + self.a(Injected(placement="theme_credit", spam=False, text=vendor, href=url, technique="wordpress")) + ".</div>")
        self.spots.to_footer(self.fragment(line))

    def share(self) -> None:
        nets = self.rng.sample(SOCIAL, self.rng.randint(3, 6))
        items = [Injected(placement="share", spam=False, text=label, href=tpl.format(u=quote(self.site.url, safe="")))
                 for _, tpl, label, _, _ in nets]
        mail = f"mailto:?subject={quote(self.site.name)}&body={quote(self.site.url)}"
        items.append(Injected(placement="share", spam=False, text="Email", href=mail))
        cls = self.rng.choice(("sharedaddy sd-sharing-enabled", "post-share-buttons", "addtoany_share_save_container", "share-box"))
        markup = f'<div class="{cls}"><span>Share this:</span>' + " ".join(self.a(i, ' target="_blank" rel="noopener"') for i in items) + "</div>"
        self.spots.after_article(self.fragment(markup))

    def social(self) -> None:
        handle = slug(self.site.name).replace("-", "")
        nets = self.rng.sample(SOCIAL, self.rng.randint(3, 5))
        items = [Injected(placement="social", spam=False, text=label, href=tpl.format(s=handle)) for _, _, _, tpl, label in nets]
        markup = self.widget(self.rng.choice(("Follow Us", "Find us on", "Social")), self.ul(items, ' rel="me"'), "html")
        if self.rng.random() < 0.5:
            self.spots.to_sidebar(self.fragment(markup), self.site.platform)
            where = "sidebar widget"
        else:
            self.spots.to_footer(self.fragment('<div class="footer-social">' + self.ul(items) + "</div>"))
            where = "footer row"
        for i in items:
            i.technique = where

    def privacy(self) -> None:
        words = PRIVACY_WORDS.get(self.site.language, PRIVACY_WORDS["en"])
        items = [Injected(placement="privacy", spam=False, text=w, href=self.own(f"/{slug(w)}/")) for w in words[:3]]
        if self.rng.random() < 0.5:  # a consent banner with the plugin's "learn more", often hidden until a script shows it
            items.append(Injected(placement="privacy", spam=False, text="Learn more", href="https://cookiesandyou.com/"))
            hidden = self.rng.random() < 0.5
            style = ' style="display:none"' if hidden else ""
            markup = (f'<div id="cookie-notice" class="cookie-notice-container"{style}>This website uses cookies. '
                      + " ".join(self.a(i) for i in items) + ' <a href="#" class="cn-button">Got it!</a></div>')
            self.spots.near_end(self.fragment(markup))
            where = "consent banner, " + ("hidden" if hidden else "visible")
        else:
            self.spots.to_footer(self.fragment('<div class="footer-legal">' + " · ".join(self.a(i) for i in items) + "</div>"))
            where = "footer line"
        for i in items:
            i.technique = where


# ---------------------------------------------------------------------------
# One injected page

_MARK = re.compile(r' data-bi="(\d+)"')


def inject(text: str, site: Site, rng, spam: list[str], legit: list[str]) -> tuple[str, list[tuple[int, Injected]]]:
    """The page with the blocks added, and (anchor index in document order, truth) per injected link.

    The anchor index counts every ``<a href>`` of the returned HTML, as ``extract`` lists them."""
    tree = parse(text)
    injector = Injector(tree, site, rng)
    for name in legit + spam:
        getattr(injector, name)()
    marked = serialize(tree)
    order = []
    for i, el in enumerate(el for el in parse(marked).iter("a") if el.get("href") is not None):
        if el.get("data-bi") is not None:
            order.append((i, injector.truth[int(el.get("data-bi"))]))
    return _MARK.sub("", marked), order


def overlap_with(rule_terms: set[str], fixture_anchors: set[str], fixture_domains: set[str]) -> list[str]:
    """Anchors or domains of this module that equal a rule term, a fixture anchor or a fixture domain."""
    norm = lambda s: " ".join(re.findall(r"\w+", s.lower()))  # noqa: E731
    anchors = [t for pool in COMMERCIAL.values() for _, t in pool] + [t for _, t in PLAIN] + [t for _, t, _ in KEYWORD_NAMES]
    taken = {norm(t) for t in rule_terms | fixture_anchors}
    found = [t for t in anchors if norm(t) in taken]
    domains = [d for pool in DOMAINS.values() for d in pool] + [d for _, _, d in KEYWORD_NAMES]
    found += [d for d in domains if d in fixture_domains]
    return found
