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
        "batch_refused_row": "row {row} ({name}): {why}",
        "batch_col_row": "Row",
        "batch_col_file": "Picture",
        "batch_col_state": "State",
        "batch_col_request": "Request id",
        "batch_col_seed": "Seed",
        "batch_none": "Add the pictures of the batch first.",
        "batch_too_many": "A batch on the page takes at most {max} pictures; the command line takes more.",
        "batch_nothing_sent": "Nothing was sent: every picture must pass the checks.",
        "batch_running": "{n} jobs in this batch…",
        "batch_done": "Batch finished: {done} of {n} videos made. They are all in your videos below.",
        "job_link": "link to this job",
        "job_reopened": "Opened from its link.",
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
        "batch_refused_row": "ligne {row} ({name}) : {why}",
        "batch_col_row": "Ligne",
        "batch_col_file": "Image",
        "batch_col_state": "État",
        "batch_col_request": "Identifiant de requête",
        "batch_col_seed": "Graine",
        "batch_none": "Ajoutez d'abord les images du lot.",
        "batch_too_many": "Un lot sur la page prend au plus {max} images ; la ligne de commande en prend "
        "plus.",
        "batch_nothing_sent": "Rien n'a été envoyé : chaque image doit passer les vérifications.",
        "batch_running": "{n} tâches dans ce lot…",
        "batch_done": "Lot terminé : {done} vidéos faites sur {n}. Elles sont toutes dans vos vidéos "
        "ci-dessous.",
        "job_link": "lien vers cette tâche",
        "job_reopened": "Ouverte depuis son lien.",
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
