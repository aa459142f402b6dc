"""The page's fixed labels, in English and French, and which of the two a request prefers.

``labels(...)`` is handed to ``gr.I18n`` so the *browser* picks the language. Texts with values in
them live in ``ui.messages``, rendered on the server in the language of the request's
``Accept-Language`` header (:func:`pick_language`, the same preference the browser uses), because
``gr.I18n`` only swaps whole fixed strings.

Numbers that come from the schema (800 characters, 121/241 frames) are filled in from ``SCHEMA``,
never typed here.
"""

from __future__ import annotations

from client import SCHEMA
from ui.examples import EXAMPLES

EXAMPLE_FRAMES = {key: frames for *_, frames, key in EXAMPLES}

LANGUAGES = ("en", "fr")


def frames_key(frames: int) -> str:
    """The I18n key of a frame-count choice ('frames_121')."""
    return f"frames_{frames}"


# Labels per language; {seconds} (the video lengths) and {limit} (the hourly limit) are filled in.
_EN: dict[str, str] = {
    "heading": "# Dreamina 3.0 Pro · image to video",
    "tab_title": "Dreamina 3.0 Pro · image to video",
    "ex_golden_street": "Golden-hour street",
    "ex_sunset_lake": "Sunset lake",
    "ex_lighthouse": "Lighthouse, portrait",
    "ex_runcomfy_sample": "RunComfy's sample (URL)",
    "subtitle": "Turn one picture into a {seconds} second clip with ByteDance's "
    "Dreamina 3.0 Pro, through RunComfy's Model API.",
    "banner_offline": "**Offline preview:** the video is a local camera move over your image, not "
    "Dreamina output. Add a RunComfy key to generate for real.",
    "banner_server": "Generations use this app's RunComfy key: up to {limit} per visitor per "
    "hour. Add your own key below to go beyond that.",
    "prompt": "Prompt",
    "prompt_placeholder": "Describe the motion: the camera move, what moves in the scene, the mood…",
    "tab_upload": "Upload",
    "tab_url": "URL",
    "image_url": "Image URL",
    "settings": "Settings",
    "seed": "Seed",
    "seed_info": "Same seed + same inputs = a similar video.",
    "random": "Random seed",
    "seed_random_placeholder": "random",
    "frames": "Length",
    "generate": "Generate",
    "cancel": "Cancel",
    "result": "Result",
    "request_id": "Request id (your receipt)",
    "download": "Download MP4",
    "examples": "Examples (nothing runs until you press Generate)",
    "api_panel": "Use the API",
    "api_intro": "The same job through RunComfy's HTTP API, for the inputs above. Your key is never "
    "shown: set `RUNCOMFY_API_TOKEN` in your shell.",
    "key_panel": "Your RunComfy key (optional)",
    "key_box": "RunComfy API key",
    "key_placeholder": "Paste your key, then press Enter",
    "key_use": "Use my key",
    "key_forget": "Forget my key",
    "key_info": "Kept only in this tab's server-side session: never stored, logged or shown again. "
    "Your generations are then billed to your RunComfy account.",
    "history_panel": "Your videos",
    "history_info": "Every job is kept here with its prompt, seed and video, even if the page closes.",
    "history_refresh": "Refresh",
    "history_more": "Show older",
    "history_reuse": "Reuse settings",
    "history_retry": "Retry download",
    "history_delete": "Delete",
    "continue": "Continue from last frame",
    "batch_panel": "Batch: several pictures, one prompt",
    "batch_info": "Each picture becomes its own paid job, checked first (one refused: nothing is sent), "
    "then sent a few at a time. Every job lands in your videos. For a CSV, URLs or a run you can resume, "
    "use `python -m client batch`.",
    "batch_files": "Pictures",
    "batch_concurrency": "At most this many at once",
    "batch_start": "Start the batch",
    "variations": "Variations",
    "variations_keep": "Keep the seed of",
    "stitch": "Stitch the story",
    "story_download": "Download the story (MP4)",
    "history_confirm": "Delete this video, its picture and its record from this app? This cannot be undone.",
    "history_delete_yes": "Delete for good",
    "history_delete_no": "Keep it",
    "recover_box": "Recover by request id",
    "recover_placeholder": "A request id from your RunComfy dashboard",
    "recover_go": "Recover",
}

_FR: dict[str, str] = {
    "heading": "# Dreamina 3.0 Pro · de l'image à la vidéo",
    "tab_title": "Dreamina 3.0 Pro · de l'image à la vidéo",
    "ex_golden_street": "Rue à l'heure dorée",
    "ex_sunset_lake": "Lac au coucher du soleil",
    "ex_lighthouse": "Phare, portrait",
    "ex_runcomfy_sample": "Exemple de RunComfy (URL)",
    "subtitle": "Transformez une image en clip de {seconds} secondes avec "
    "Dreamina 3.0 Pro de ByteDance, via l'API de modèles de RunComfy.",
    "banner_offline": "**Aperçu hors ligne :** la vidéo est un mouvement de caméra local sur votre "
    "image, pas un rendu Dreamina. Ajoutez une clé RunComfy pour générer pour de vrai.",
    "banner_server": "Les générations utilisent la clé RunComfy de l'application : {limit} par "
    "visiteur et par heure au plus. Ajoutez votre propre clé ci-dessous pour aller "
    "au-delà.",
    "prompt": "Prompt",
    "prompt_placeholder": "Décrivez le mouvement : la caméra, ce qui bouge dans la scène, l'ambiance…",
    "tab_upload": "Fichier",
    "tab_url": "URL",
    "image_url": "URL de l'image",
    "settings": "Réglages",
    "seed": "Graine",
    "seed_info": "Même graine + mêmes entrées = vidéo semblable.",
    "random": "Graine aléatoire",
    "seed_random_placeholder": "aléatoire",
    "frames": "Durée",
    "generate": "Générer",
    "cancel": "Annuler",
    "result": "Résultat",
    "request_id": "Identifiant de requête (votre reçu)",
    "download": "Télécharger le MP4",
    "examples": "Exemples (rien ne part avant d'appuyer sur Générer)",
    "api_panel": "Utiliser l'API",
    "api_intro": "La même tâche via l'API HTTP de RunComfy, pour les entrées ci-dessus. Votre clé "
    "n'apparaît jamais : définissez `RUNCOMFY_API_TOKEN` dans votre terminal.",
    "key_panel": "Votre clé RunComfy (facultatif)",
    "key_box": "Clé d'API RunComfy",
    "key_placeholder": "Collez votre clé puis appuyez sur Entrée",
    "key_use": "Utiliser ma clé",
    "key_forget": "Oublier ma clé",
    "key_info": "Gardée uniquement dans la session de cet onglet, côté serveur : jamais enregistrée, "
    "journalisée ni réaffichée. Vos générations sont alors facturées sur votre compte "
    "RunComfy.",
    "history_panel": "Vos vidéos",
    "history_info": "Chaque tâche est gardée ici avec son prompt, sa graine et sa vidéo, même si cette "
    "page est fermée.",
    "history_refresh": "Actualiser",
    "history_more": "Plus anciennes",
    "history_reuse": "Réutiliser les réglages",
    "history_retry": "Relancer le téléchargement",
    "history_delete": "Supprimer",
    "continue": "Continuer depuis la dernière image",
    "batch_panel": "Lot : plusieurs images, un seul prompt",
    "batch_info": "Chaque image devient une tâche payante, vérifiée d'abord (une seule refusée : rien n'est "
    "envoyé), puis envoyée quelques-unes à la fois. Toutes arrivent dans vos vidéos. Pour un CSV, des URL "
    "ou un lot à reprendre, utilisez `python -m client batch`.",
    "batch_files": "Images",
    "batch_concurrency": "Au plus autant à la fois",
    "batch_start": "Lancer le lot",
    "variations": "Variantes",
    "variations_keep": "Garder la graine de",
    "stitch": "Assembler l'histoire",
    "story_download": "Télécharger l'histoire (MP4)",
    "history_confirm": "Supprimer cette vidéo, son image et sa fiche de cette application ? C'est définitif.",
    "history_delete_yes": "Supprimer définitivement",
    "history_delete_no": "La garder",
    "recover_box": "Récupérer par identifiant",
    "recover_placeholder": "Un identifiant de requête de votre tableau de bord RunComfy",
    "recover_go": "Récupérer",
}

_OR = {"en": " or ", "fr": " ou "}
_FRAMES = {"en": "frames", "fr": "images"}


def labels(hourly_limit: int) -> dict[str, dict[str, str]]:
    """Fixed labels per language, with the few build-time numbers already filled in."""
    tables = {"en": _EN, "fr": _FR}
    out = {}
    for lang, table in tables.items():
        seconds = _OR[lang].join(str(SCHEMA.seconds_for(f)) for f in SCHEMA.frames_choices)
        filled = {key: text.format(seconds=seconds, limit=hourly_limit) for key, text in table.items()}
        for frames in SCHEMA.frames_choices:
            filled[frames_key(frames)] = f"{SCHEMA.seconds_for(frames)} s ({frames} {_FRAMES[lang]})"
        for key in [k for k in filled if k.startswith("ex_")]:  # an example's label says its length too
            filled[key] = f"{filled[key]} · {SCHEMA.seconds_for(EXAMPLE_FRAMES[key])} s"
        out[lang] = filled
    return out


def pick_language(accept_language: str | None) -> str:
    """The supported language an ``Accept-Language`` header prefers most ('en' when none is)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        if lang not in LANGUAGES:
            continue
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((q, -position, lang))  # equal weights: the header's order decides
    return max(ranked)[2] if ranked else "en"
