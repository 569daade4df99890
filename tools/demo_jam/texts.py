"""The demo jam's cast and lines: invented people, invented posts (no real ones).

Kept apart from the generator so the generator reads as the jam's choreography.
Every line here is label-free: the generator adds the labels, and records which.
"""

from __future__ import annotations

HASHTAG = "jamdeckdemo"
TITLE = "#jamdeckdemo: community-led product design"

# (handle, display name, language, short bio)
HOST = ("mira_builds", "Mira Okafor", "en", "Host of #jamdeckdemo. Product people who listen.")
COHOST = ("teo_cx", "Teo Lindqvist", "en", "Co-host #jamdeckdemo · research ops · coffee")

PARTICIPANTS = [
    ("ana_ships", "Ana Ferreira", "en", "PM at a tiny fintech in Lisbon"),
    ("dev_raghav", "Raghav Iyer", "en", "Design systems, occasionally sleep"),
    ("lena_ux", "Lena Brandt", "en", "UX researcher. Sticky notes maximalist."),
    ("omar_makes", "Omar Said", "en", "Founder, community-first SaaS"),
    ("priya_pm", "Priya Nair", "en", "Head of product @ a health startup"),
    ("sam_okoye", "Sam Okoye", "en", "Community lead. Meetups, forums, vibes."),
    ("juliet_design", "Juliet Moreau", "en", "Service designer. Workshops > decks."),
    ("kwame_codes", "Kwame Mensah", "en", "Engineer who likes talking to users"),
    ("zoe_mueller", "Zoë Müller", "en", "DevRel. Docs are product."),
    ("lukasz_w", "Łukasz Wróbel", "en", "Open source maintainer"),
    ("hannah_research", "Hannah Price", "en", "Mixed-methods research"),
    ("ben_tinkers", "Ben Adeyemi", "en", "Hardware + community"),
    ("carmen_cx", "Carmen Ruiz", "es", "CX en Madrid · comunidad"),
    ("diego_prod", "Diego Salas", "es", "Producto y comunidad en CDMX"),
    ("beatriz_ux", "Beatriz Lima", "pt", "Pesquisa com usuários, São Paulo"),
    ("felix_design", "Felix Hartmann", "de", "Produktdesign aus Köln"),
    ("camille_pm", "Camille Laurent", "fr", "PM à Lyon, communautés open source"),
    ("hina_sato", "佐藤 陽菜", "ja", "東京のプロダクトデザイナー"),
    ("kenji_dev", "Kenji Mori", "ja", "コミュニティマネージャー"),
    ("wang_fang", "王芳", "zh", "产品经理 · 上海"),
    ("minjun_kim", "김민준", "ko", "서울의 UX 디자이너"),
    ("layla_haddad", "ليلى حداد", "ar", "مصممة منتجات في عمّان"),
    ("yusuf_ar", "يوسف منصور", "ar", "مجتمعات المطورين"),
    ("noa_cohen", "נועה כהן", "he", "מעצבת מוצר בתל אביב"),
    ("grace_builds", "Grace Liu", "en", "Growth, but the kind that listens"),
    ("tom_feedback", "Tom Becker", "en", "Support lead turned PM"),
    ("ines_ops", "Inès Dupont", "en", "Research ops, consent forms enthusiast"),
    ("rafael_dx", "Rafael Costa", "en", "Developer experience"),
    ("maya_writes", "Maya Green", "en", "Content design"),
    ("ahmed_pm", "Ahmed Karim", "en", "PM, marketplaces"),
    ("sofia_maps", "Sofia Rossi", "en", "Civic tech volunteer"),
    ("nils_ux", "Nils Eriksson", "en", "Accessibility first"),
    ("amara_cm", "Amara Obi", "en", "Community manager, gaming"),
    ("jonas_proto", "Jonas Weber", "en", "Prototyper"),
    ("ella_insights", "Ella Johansson", "en", "Insights at a mobility startup"),
    ("victor_oss", "Victor Petrov", "en", "OSS foundation board"),
    ("keiko_design", "Keiko Tanaka", "en", "Design lead, remote team"),
    ("luis_builds", "Luis Herrera", "en", "No-code builder"),
    ("olivia_ux", "Olivia Brown", "en", "UX writer"),
    ("marco_pm", "Marco Bianchi", "en", "PM, B2B tools"),
    ("fatima_research", "Fatima Zahra", "en", "Researcher, MENA markets"),
    ("pete_support", "Pete Nolan", "en", "Support ops"),
    ("aisha_designs", "Aisha Bello", "en", "Product designer, edtech"),
    ("chris_devrel", "Chris Park", "en", "DevRel, APIs"),
    ("rosa_community", "Rosa Jiménez", "en", "Community programs"),
    ("ivan_ux", "Ivan Novak", "en", "UX, public sector"),
    ("tanya_pm", "Tanya Singh", "en", "PM, fintech"),
    ("george_makes", "George Hill", "en", "Maker, 3D printing forums"),
]

SPAMMERS = [
    ("best_deals_4u_99", "Daily Deals 💰", "en", "DM for promo"),
    ("crypto_gains_now7", "Gains Guru", "en", "100x signals"),
]

QUESTIONS = [
    "How do you define community-led product design?",
    "Where in your process do community voices show up today?",
    "What's the hardest part of acting on community feedback?",
    "How do you close the loop so people see their ideas ship?",
    "Which tools or rituals help you run community research at scale?",
    "How do you keep a community design process inclusive across languages and time zones?",
    "What's one thing you'll try after today's chat?",
]

# Answers in English, per question: "claims"; the generator adds a "tail" sometimes.
CLAIMS = [
    [
        "Designing with the people who use the product, not just for them",
        "It means the community can change the roadmap, not just comment on it",
        "Co-creation with a feedback loop that actually closes",
        "Users as co-authors: they see the problem framing before we pick a solution",
        "Letting the community set the questions, then doing the research properly",
        "Shared ownership of problems, while the team still owns the decisions",
        "It's product discovery in public",
        "Less 'we asked users' and more 'users were in the room'",
    ],
    [
        "Mostly in discovery: monthly open calls with power users",
        "Too late, honestly: usually at beta, when changes are expensive",
        "We run a public idea board and triage it every Friday",
        "Support tickets tagged by theme feed our planning every sprint",
        "Our forum has a 'working out loud' category where we post sketches",
        "Community office hours every Tuesday, notes shared with the whole team",
        "A rotating panel of 40 members reviews prototypes",
        "Everywhere the support team is, which is why support sits in planning",
    ],
    [
        "Saying no to loud requests and explaining why",
        "Separating what people ask for from the problem underneath",
        "The loudest 5% drown out everyone else",
        "Feedback arrives faster than we can research it",
        "Internal politics: the community wants X, sales wants Y",
        "Keeping context when the person who collected the feedback leaves",
        "Acting on it without promising dates we can't keep",
        "Turning 300 forum comments into 3 decisions",
    ],
    [
        "We tag every shipped item with the threads that inspired it",
        "Changelog entries credit the community member by name (with consent)",
        "A monthly 'you asked, we shipped' post",
        "We reply in the original thread when something ships, even a year later",
        "Short demo videos sent to the people who raised the issue",
        "Public roadmap with statuses that actually get updated",
        "We invite the requester to the beta first",
        "Closing the loop on the 'no's too, that builds the most trust",
    ],
    [
        "A shared research repo with tags everyone can search",
        "Async surveys plus a handful of deep interviews",
        "Forum + a weekly digest bot that clusters themes",
        "Recorded office hours with auto transcripts (consent first)",
        "A community council that meets every six weeks",
        "Plain spreadsheets, honestly; the ritual matters more than the tool",
        "Open design reviews streamed for members",
        "Opportunity trees we share publicly",
    ],
    [
        "Rotating meeting times so no region is always at 3am",
        "Async first: every live session has a written thread",
        "Paying community translators instead of volunteers",
        "Regional leads who run sessions in their own language",
        "Accessible formats: captions, alt text, plain language",
        "Asking who is missing from the room, every single time",
        "Budget for incentives, so it isn't only people with free time",
        "Smaller groups per language, then a shared synthesis",
    ],
    [
        "Posting our next sketch in the forum before it's polished",
        "Crediting community members in the changelog",
        "Rotating our office-hours slot for APAC",
        "A 'you asked, we shipped' post this month",
        "Inviting three quiet members to the next review",
        "Writing down why we said no, publicly",
        "Replying in old threads when things ship",
        "Asking the community to set one research question",
    ],
]

TAILS = [
    "",
    "",
    "",
    " 🙌",
    " 💡",
    "!",
    " — learned that the hard way",
    ". Still figuring it out tbh",
    " 🚀",
    ". Small steps.",
    " (and it changed how we plan)",
    ". Curious how others do it",
    " 👀",
    ". Took us two years to get there",
]

# Answers in other languages: generic enough for any question.
FOREIGN = {
    "es": [
        "Diseñar con la comunidad es co-crear, no solo preguntar",
        "Publicamos el roadmap y votamos cada mes",
        "Lo difícil es cerrar el ciclo con quien propuso la idea",
        "Pruebas pequeñas y rápidas 🚀",
        "Incluir husos horarios distintos cambia todo",
    ],
    "pt": [
        "Comunidade no centro desde o primeiro rascunho",
        "Fechamos o ciclo com um post mensal de novidades",
        "O mais difícil é dizer não com respeito",
        "Grupos menores por idioma funcionam melhor",
    ],
    "de": [
        "Gemeinsam gestalten statt nur Feedback einsammeln",
        "Wir teilen Skizzen früh im Forum",
        "Das Schwierigste: Nein sagen und es gut begründen",
        "Asynchron zuerst, dann kleine Runden",
    ],
    "fr": [
        "Concevoir avec la communauté, pas seulement pour elle",
        "Nous publions la feuille de route et on vote chaque mois",
        "Le plus dur : boucler la boucle avec chaque personne",
        "Des sessions par langue, puis une synthèse commune",
    ],
    "ja": [
        "コミュニティの声を最初のスケッチから入れること",
        "毎週ユーザーと30分話すだけでも変わる",
        "フィードバックを集めるより、返すほうが難しい",
        "小さく試して、すぐ共有する 🙌",
        "翻訳より先に、各地域のリーダーを巻き込む",
    ],
    "zh": [
        "社区驱动的设计就是把用户当作共同作者",
        "我们每两周开一次公开的路线图会议",
        "最难的是说“不”，还要解释原因",
        "先做小实验，再扩大范围",
        "多语言支持不只是翻译",
    ],
    "ko": [
        "커뮤니티와 함께 만드는 것이 핵심입니다",
        "매주 사용자 인터뷰 내용을 공개해요",
        "가장 어려운 건 거절하고 이유를 설명하는 것",
        "작게 실험하고 빨리 공유하기",
    ],
    "ar": [
        "التصميم بقيادة المجتمع يعني أن المستخدمين شركاء منذ اليوم الأول",
        "نشارك خارطة الطريق علنًا كل شهر",
        "أصعب شيء هو إغلاق الحلقة مع الناس",
        "نبدأ بتجارب صغيرة ثم نوسّعها",
        "الشمول يعني مواعيد تناسب كل المناطق الزمنية",
    ],
    "he": [
        "עיצוב בהובלת קהילה זה לבנות יחד, לא רק לשאול",
        "אנחנו מפרסמים את מפת הדרכים בפומבי",
        "הכי קשה זה להגיד לא ולהסביר למה",
        "ניסויים קטנים, שיתוף מהיר",
        "להקשיב גם למי ששקט בפורום",
    ],
}

INTROS = [
    "Hi all! {name} here, joining from {place} 👋",
    "Hello #jamdeckdemo! {name}, first time at this chat",
    "Evening from {place}! Lurking and learning today",
    "{name} checking in ☕ ready for some product talk",
    "Hey everyone 👋 {name} from {place}",
    "Made it! {name} here, {place}",
]
PLACES = [
    "Lisbon",
    "Lagos",
    "Pune",
    "Berlin",
    "Toronto",
    "Nairobi",
    "Austin",
    "Manila",
    "Leeds",
    "Melbourne",
    "Bogotá",
    "Warsaw",
    "Accra",
    "Dublin",
    "Cape Town",
    "Oslo",
]

PRE_JAM = [
    "Excited for #jamdeckdemo in 5 minutes! Topic: community-led product design",
    "Grabbing tea before #jamdeckdemo starts 🍵",
    "Who else is joining #jamdeckdemo today?",
]

SIDE_OPENERS = [
    "Love this. How big was that group?",
    "Did that scale past the first year?",
    "Same here! Which tool do you use for that?",
    "Interesting, how do you handle the vocal minority?",
    "Can you share an example?",
    "How did you get leadership on board?",
    "This resonates so much 💯",
    "Do you pay participants?",
]
SIDE_ANSWERS = [
    "About 40 people, mostly power users",
    "Barely! We had to rebuild it twice",
    "A shared spreadsheet and a lot of patience 😅",
    "We weight by segment, not by volume",
    "Happy to, I'll DM you the write-up",
    "Showing churn data next to the forum threads did it",
    "Gift cards for interviews, credits for surveys",
    "Thanks! Still iterating",
]
SIDE_CLOSERS = [
    "Thanks, super helpful!",
    "Stealing this 😄",
    "Makes sense 🙏",
    "Let's swap notes later",
]

HOST_REPLIES = [
    "Great point! 👏",
    "Love this answer",
    "Yes! This is the heart of it",
    "So true. Thanks for sharing 🙏",
    "Welcome! Glad you're here",
]

QUOTE_COMMENTS = [
    "This 👇",
    "+1, exactly what we saw",
    "Bookmarking this one",
    "Couldn't agree more",
    "Such a good way to put it",
]

IMAGE_ALTS = [
    "Whiteboard sketch of a loop: collect, cluster, build, tell",
    "Screenshot of a public roadmap board with columns Now, Next, Later",
    "Photo of sticky notes grouped into five themes on a glass wall",
    "Chart: share of shipped features that started in the forum, rising each quarter",
    "Slide titled 'You asked, we shipped' with three product screenshots",
    "Photo of a small community workshop around a table with laptops",
    None,  # real people often post images without alt text
]

LINKS = [
    ("https://blog.example.org/closing-the-feedback-loop", "blog.example.org/closing-the-fe…"),
    ("https://example.com/research/community-council-playbook", "example.com/research/communi…"),
    ("https://docs.example.net/open-roadmap", "docs.example.net/open-roadmap"),
    ("https://example.org/talks/designing-in-public", "example.org/talks/designing-i…"),
    ("https://news.example.com/2026/03/co-design-at-scale", "news.example.com/2026/03/co-de…"),
]

SPAM = [
    "🔥 Earn $500/day from home!!! No experience needed, DM me now",
    "💰 100x signals every morning, join the channel before it closes",
]
