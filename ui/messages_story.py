"""The page's sentences about stories (continue from the last frame, stitch) and variations.

Merged into ``ui.messages.MESSAGES``.
"""

from __future__ import annotations

STORY_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "continue_note": "Continues {rid} from its last frame ({width}x{height}). Edit the prompt, then "
        "press Generate.",
        "continue_refused": "This job cannot be continued: {why}.",
        "continue_unavailable": "Continuing needs the job's video in this app's history.",
        "story_clip": "Clip {n} of a story · continues `{parent}`",
        "stitch_remux": "Stitched {clips} clips into one video: {frames} frames, {seconds} s (copied as "
        "they are, {dropped} repeated junction frames left out).",
        "stitch_reencode": "Stitched {clips} clips into one video: {frames} frames, {seconds} s "
        "(re-encoded once, {dropped} repeated junction frames left out).",
        "stitch_failed": "The story could not be stitched: {why}.",
        "stitch_skipped": "Left out, ended without a video: {ids}.",
        "variation_label": "#{n} · seed {seed} · {state}",
        "variation_keep": "#{n} · seed {seed}",
        "variation_sent": "sent",
        "variation_submitted": "sent",
        "variation_queued": "queued",
        "variation_inprogress": "running",
        "variation_downloading": "downloading",
        "variation_completed": "done",
        "variation_failed": "failed",
        "variation_cancelled": "cancelled",
        "variations_status": "{done} of {n} variations ready",
        "variations_seeds": "Seeds: {seeds}",
        "variations_cancelled": "The variations still queued were cancelled; those already running finish "
        "into your history.",
    },
    "fr": {
        "continue_note": "Prolonge {rid} depuis sa dernière image ({width}x{height}). Modifiez le prompt, "
        "puis appuyez sur Générer.",
        "continue_refused": "Cette tâche ne peut pas être prolongée : {why}.",
        "continue_unavailable": "Prolonger une tâche demande sa vidéo dans l'historique de cette "
        "application.",
        "story_clip": "Plan {n} d'une histoire · prolonge `{parent}`",
        "stitch_remux": "{clips} plans assemblés en une vidéo : {frames} images, {seconds} s (copiés tels "
        "quels, {dropped} images de raccord répétées retirées).",
        "stitch_reencode": "{clips} plans assemblés en une vidéo : {frames} images, {seconds} s (réencodés "
        "une fois, {dropped} images de raccord répétées retirées).",
        "stitch_failed": "L'histoire n'a pas pu être assemblée : {why}.",
        "stitch_skipped": "Laissés de côté, terminés sans vidéo : {ids}.",
        "variation_label": "n°{n} · graine {seed} · {state}",
        "variation_keep": "n°{n} · graine {seed}",
        "variation_sent": "envoyée",
        "variation_submitted": "envoyée",
        "variation_queued": "en attente",
        "variation_inprogress": "en cours",
        "variation_downloading": "téléchargement",
        "variation_completed": "terminée",
        "variation_failed": "échec",
        "variation_cancelled": "annulée",
        "variations_status": "{done} variante(s) prête(s) sur {n}",
        "variations_seeds": "Graines : {seeds}",
        "variations_cancelled": "Les variantes encore en attente ont été annulées ; celles déjà en cours se "
        "terminent dans votre historique.",
    },
}
