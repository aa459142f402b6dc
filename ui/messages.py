"""Every sentence with values in it (queue position, elapsed time, error details), in English and French.

Rendered on the server in the language :func:`ui.texts.pick_language` picks from the request. The
model's rule sentences come from ``client.dreamina``'s own table per language (``text_in(lang)``).
"""

from __future__ import annotations

from ui.messages_money import MONEY_MESSAGES
from ui.messages_story import STORY_MESSAGES

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "idle": "Ready: pick an example or add an image and a prompt, then press Generate.",
        "preparing": "Checking the image and the prompt…",
        "submitted": "Sent to RunComfy",
        "queued": "Queued at RunComfy · {position} ahead of you",
        "queued_next": "Queued at RunComfy · next in line",
        "queued_nopos": "Queued at RunComfy",
        "running": "Running on RunComfy · it can no longer be cancelled",
        "downloading": "Downloading the video…",
        "done": "Done",
        "failed": "Failed",
        "cancelled": "Cancelled while queued: nothing is billed.",
        "cancelling": "Cancelling…",
        "cancel_running": "RunComfy cannot stop a job that is already running: it will finish and be "
        "billed. The video will still appear here.",
        "cancel_before_submit": "Stopped before anything was sent to RunComfy.",
        "cancel_nothing": "Nothing is running.",
        "cancel_unknown": "RunComfy answered “{outcome}” to the cancel: the job may go on, and its video "
        "will appear here if it finishes.",
        "cancel_unreachable": "Could not reach RunComfy to cancel: the job may go on, and its video will "
        "appear here if it finishes.",
        # The offline preview's own words: nothing there goes to RunComfy or is billed (see ui.screens.said).
        "off_submitted": "Sent to the offline preview",
        "off_queued": "Waiting in the offline preview · {position} ahead of you",
        "off_queued_next": "Waiting in the offline preview · next in line",
        "off_queued_nopos": "Waiting in the offline preview",
        "off_running": "Rendering the offline preview",
        "off_cancelled": "Cancelled while waiting.",
        "off_cancel_running": "The offline preview is already rendering and cannot be stopped. The video "
        "will still appear here.",
        "off_cancel_before_submit": "Stopped before anything was sent.",
        "mode_offline": "offline preview",
        "mode_byo": "your key",
        "mode_server": "app key",
        "request_id": "request id",
        "limit_title": "Hourly limit reached",
        "limit_reached": "You have used this app's key for {limit} generations in the last hour. Try "
        "again in {minutes} min, or add your own RunComfy key.",
        "err_input": "Not sent: {message}",
        "err_no_image": "Not sent: add an image (upload one, or give its URL in the URL tab).",
        "err_auth": "RunComfy refused the API key (missing, wrong or expired). Check the key and try again.",
        "err_not_found": "RunComfy no longer knows this request (unknown, deleted or expired).",
        "err_rate": "RunComfy is limiting requests right now. Wait a minute and try again.",
        "err_balance": "The RunComfy account has no balance left. Top it up, or use another key.",
        "err_refused": "RunComfy refused the job: {message}",
        "err_failed": "The job failed on RunComfy: {message}",
        "err_timeout": "No result in time. The job may still finish on RunComfy: look it up later by its "
        "request id.",
        "err_uncertain": "The connection broke just after sending, so RunComfy may have the job. It was not "
        "sent again (that would be billed twice): find it in your RunComfy requests and paste its request "
        "id into Recover by request id (or run python -m client recover ID) before generating again.",
        "err_connection": "Could not reach RunComfy. Check the connection and try again.",
        "err_download": "The video was made but could not be downloaded: {why} Retry download under Your "
        "videos fetches it again by its request id. Its link: {url}",
        "dl_expired": "its link has expired.",
        "dl_refused": "its link is neither https nor on RunComfy's host, so it was not fetched.",
        "dl_too_big": "it is over the size cap.",
        "dl_broken": "the download was cut off or the file is not a playable video.",
        "dl_failed": "the download failed.",
        "err_unexpected": "Something went wrong on our side. Try again; a job that has a request id may "
        "still finish on RunComfy.",
        "key_set": "Your own key is in use for this tab. It lives only in this server-side session.",
        "key_forgotten": "Your key was forgotten. Generations use {mode} again.",
        "key_empty": "Paste a key first.",
        "check_title": "Image check",
        "check_ratio": "ratio",
        "check_will_fix": "will be fixed",
        "check_rules": "The model's rules",
        "check_fixes": "Fixed automatically when you press Generate:",
        "check_refused": "This image can't be used:",
        "check_ready": "Ready to send as it is.",
        "url_note": "Your browser shows this preview; the server does not fetch it. RunComfy downloads the "
        "image when the job starts and checks it then: {rules}.",
        "rules": "{formats}, under {mb} MB, sides {low} to {high} px, width/height between {rlo} and {rhi}",
        "url_offline_note": "The offline preview fetches it only from public https hosts; if it can't be "
        "reached, upload the file instead.",
        "url_bad": "Give an https:// link to a JPEG or PNG image.",
        "total": "total",
        "seed": "seed",
        "cost": "cost",
        "eta_usual": "Usually ready in about {seconds} s",
        "eta_any_moment": "Should be ready any moment",
        "eta_late": "Taking longer than usual",
        "tally": "{calls} status calls · seen {seconds} s after it ended",
        "tally_calls": "{calls} status calls",
        "st_submitted": "Sent", "st_queued": "Queued", "st_running": "Running",
        "st_downloading": "Downloading", "st_succeeded": "Done", "st_failed": "Failed",
        "st_cancelled": "Cancelled", "st_lost": "Lost",
        "age_now": "just now", "age_min": "{n} min ago", "age_h": "{n} h ago", "age_d": "{n} d ago",
        "hist_empty": "No jobs yet: every video you generate is kept here.",
        "hist_count": "{shown} of {total} jobs", "hist_count_all": "{total} jobs", "hist_count_one": "1 job",
        "hist_off_local": "**Job history is off.** {problem}",
        "hist_off_shared": "**Job history is off** on this app for now: download each video when it is done. "
        "Generation still works.",
        "hist_followed": "Still on its way: it will finish here even if you close the page.",
        "hist_waiting": "Not followed right now (the app restarted). Press Retry download to fetch it; a job "
        "made with your own key needs that key again first.",
        "hist_pruned": "The local copy was removed to stay within the disk budget: Retry download fetches it "
        "again while RunComfy still keeps it.",
        "hist_gone": "This job is no longer in your history.",
        "hist_deleted": "Deleted.",
        "hist_delete_running": "This job is still running: delete it once it has finished.",
        "hist_reused": "The form now holds this job's settings: press Generate to run it again.",
        "hist_reuse_no_image": "The form now holds this job's prompt, seed and length; its picture was not "
        "kept, so add it again.",
        "rec_bad_id": "That does not look like a request id.",
        "rec_busy": "This job is already being fetched: it will appear in your history.",
        "rec_fetching": "Asking RunComfy about {rid}…",
        "rec_done": "Recovered {rid}: it is in your history.",
        "rec_ended": "{rid} ended as “{state}”: it is in your history.",
        "rec_unrecorded": "Fetched {rid}, but the job history is off: the video is only shown here.",
        "retry_fetching": "Fetching the video again…",
    },
    "fr": {
        "idle": "Prêt : choisissez un exemple ou ajoutez une image et un prompt, puis appuyez sur Générer.",
        "preparing": "Vérification de l'image et du prompt…",
        "submitted": "Envoyé à RunComfy",
        "queued": "En file d'attente chez RunComfy · {position} avant vous",
        "queued_next": "En file d'attente chez RunComfy · vous êtes le prochain",
        "queued_nopos": "En file d'attente chez RunComfy",
        "running": "En cours chez RunComfy · ne peut plus être annulé",
        "downloading": "Téléchargement de la vidéo…",
        "done": "Terminé",
        "failed": "Échec",
        "cancelled": "Annulé pendant l'attente : rien n'est facturé.",
        "cancelling": "Annulation…",
        "cancel_running": "RunComfy ne peut pas arrêter une tâche déjà lancée : elle ira au bout et sera "
        "facturée. La vidéo s'affichera quand même ici.",
        "cancel_before_submit": "Arrêté avant tout envoi à RunComfy.",
        "cancel_nothing": "Rien n'est en cours.",
        "cancel_unknown": "RunComfy a répondu « {outcome} » à l'annulation : la tâche peut continuer, et "
        "sa vidéo s'affichera ici si elle aboutit.",
        "cancel_unreachable": "Impossible de joindre RunComfy pour annuler : la tâche peut continuer, et "
        "sa vidéo s'affichera ici si elle aboutit.",
        "off_submitted": "Envoyé à l'aperçu hors ligne",
        "off_queued": "En attente dans l'aperçu hors ligne · {position} avant vous",
        "off_queued_next": "En attente dans l'aperçu hors ligne · vous êtes le prochain",
        "off_queued_nopos": "En attente dans l'aperçu hors ligne",
        "off_running": "Rendu de l'aperçu hors ligne en cours",
        "off_cancelled": "Annulé pendant l'attente.",
        "off_cancel_running": "L'aperçu hors ligne est déjà en cours de rendu et ne peut pas être arrêté. "
        "La vidéo s'affichera quand même ici.",
        "off_cancel_before_submit": "Arrêté avant tout envoi.",
        "mode_offline": "aperçu hors ligne",
        "mode_byo": "votre clé",
        "mode_server": "clé de l'application",
        "request_id": "identifiant",
        "limit_title": "Limite horaire atteinte",
        "limit_reached": "Vous avez utilisé la clé de l'application pour {limit} générations dans la "
        "dernière heure. Réessayez dans {minutes} min, ou ajoutez votre propre clé RunComfy.",
        "err_input": "Non envoyé : {message}",
        "err_no_image": "Non envoyé : ajoutez une image (un fichier, ou son URL dans l'onglet URL).",
        "err_auth": "RunComfy a refusé la clé d'API (absente, erronée ou expirée). Vérifiez-la et réessayez.",
        "err_not_found": "RunComfy ne connaît plus cette requête (inconnue, supprimée ou expirée).",
        "err_rate": "RunComfy limite les requêtes en ce moment. Attendez une minute et réessayez.",
        "err_balance": "Le compte RunComfy n'a plus de crédit. Rechargez-le ou utilisez une autre clé.",
        "err_refused": "RunComfy a refusé la tâche : {message}",
        "err_failed": "La tâche a échoué chez RunComfy : {message}",
        "err_timeout": "Pas de résultat à temps. La tâche peut encore aboutir chez RunComfy : retrouvez-la "
        "plus tard grâce à son identifiant.",
        "err_uncertain": "La connexion a coupé juste après l'envoi : RunComfy a peut-être reçu la tâche. "
        "Elle n'a pas été renvoyée (elle serait facturée deux fois) : retrouvez-la dans vos requêtes "
        "RunComfy et collez son identifiant dans Récupérer par identifiant (ou lancez python -m client "
        "recover ID) avant de relancer.",
        "err_connection": "Impossible de joindre RunComfy. Vérifiez la connexion et réessayez.",
        "err_download": "La vidéo a été créée mais n'a pas pu être téléchargée : {why} Relancer le "
        "téléchargement, sous Vos vidéos, la récupère par son identifiant. Son lien : {url}",
        "dl_expired": "son lien a expiré.",
        "dl_refused": "son lien n'est ni en https ni chez RunComfy, il n'a donc pas été suivi.",
        "dl_too_big": "elle dépasse la taille maximale.",
        "dl_broken": "le téléchargement a été coupé ou le fichier n'est pas une vidéo lisible.",
        "dl_failed": "le téléchargement a échoué.",
        "err_unexpected": "Un problème est survenu de notre côté. Réessayez ; une tâche qui a un "
        "identifiant peut encore aboutir chez RunComfy.",
        "key_set": "Votre propre clé est utilisée pour cet onglet. Elle ne vit que dans cette session, côté "
        "serveur.",
        "key_forgotten": "Votre clé a été oubliée. Les générations utilisent de nouveau : {mode}.",
        "key_empty": "Collez d'abord une clé.",
        "check_title": "Vérification de l'image",
        "check_ratio": "rapport",
        "check_will_fix": "sera corrigé",
        "check_rules": "Les règles du modèle",
        "check_fixes": "Corrigé automatiquement quand vous appuyez sur Générer :",
        "check_refused": "Cette image ne peut pas être utilisée :",
        "check_ready": "Prête à être envoyée telle quelle.",
        "url_note": "Votre navigateur affiche cet aperçu ; le serveur ne le télécharge pas. RunComfy "
        "récupère l'image au lancement de la tâche et la vérifie alors : {rules}.",
        "rules": "{formats}, moins de {mb} Mo, côtés de {low} à {high} px, "
        "largeur/hauteur entre {rlo} et {rhi}",
        "url_offline_note": "L'aperçu hors ligne ne la récupère que depuis des hôtes https publics ; si elle "
        "est injoignable, importez plutôt le fichier.",
        "url_bad": "Donnez un lien https:// vers une image JPEG ou PNG.",
        "total": "total",
        "seed": "graine",
        "cost": "coût",
        "eta_usual": "Prête d'habitude dans {seconds} s environ",
        "eta_any_moment": "Devrait être prête d'un instant à l'autre",
        "eta_late": "Plus longue que d'habitude",
        "tally": "{calls} appels de suivi · vue {seconds} s après la fin",
        "tally_calls": "{calls} appels de suivi",
        "st_submitted": "Envoyée", "st_queued": "En attente", "st_running": "En cours",
        "st_downloading": "Téléchargement", "st_succeeded": "Terminée", "st_failed": "Échec",
        "st_cancelled": "Annulée", "st_lost": "Perdue",
        "age_now": "à l'instant", "age_min": "il y a {n} min", "age_h": "il y a {n} h",
        "age_d": "il y a {n} j",
        "hist_empty": "Aucune tâche pour l'instant : chaque vidéo générée est gardée ici.",
        "hist_count": "{shown} tâches sur {total}", "hist_count_all": "{total} tâches",
        "hist_count_one": "1 tâche",
        "hist_off_local": "**L'historique des tâches est désactivé.** {problem}",
        "hist_off_shared": "**L'historique des tâches est désactivé** sur cette application pour l'instant : "
        "téléchargez chaque vidéo dès qu'elle est prête. La génération fonctionne toujours.",
        "hist_followed": "En route : elle se terminera ici même si vous fermez la page.",
        "hist_waiting": "Plus suivie pour l'instant (l'application a redémarré). Appuyez sur Relancer le "
        "téléchargement ; une tâche lancée avec votre clé demande d'abord de la saisir à nouveau.",
        "hist_pruned": "La copie locale a été supprimée pour respecter le budget disque : Relancer le "
        "téléchargement la récupère tant que RunComfy la garde.",
        "hist_gone": "Cette tâche n'est plus dans votre historique.",
        "hist_deleted": "Supprimée.",
        "hist_delete_running": "Cette tâche est encore en cours : supprimez-la une fois terminée.",
        "hist_reused": "Le formulaire reprend les réglages de cette tâche : appuyez sur Générer pour la "
        "relancer.",
        "hist_reuse_no_image": "Le formulaire reprend le prompt, la graine et la durée ; l'image n'a pas été "
        "gardée, ajoutez-la à nouveau.",
        "rec_bad_id": "Ceci ne ressemble pas à un identifiant de requête.",
        "rec_busy": "Cette tâche est déjà en cours de récupération : elle apparaîtra dans votre historique.",
        "rec_fetching": "Interrogation de RunComfy pour {rid}…",
        "rec_done": "{rid} récupérée : elle est dans votre historique.",
        "rec_ended": "{rid} s'est terminée ainsi : « {state} ». Elle est dans votre historique.",
        "rec_unrecorded": "{rid} récupérée, mais l'historique est désactivé : la vidéo n'est visible qu'ici.",
        "retry_fetching": "Nouveau téléchargement de la vidéo…",
    },
}


for _tables in (MONEY_MESSAGES, STORY_MESSAGES):
    for _lang, _table in _tables.items():
        MESSAGES[_lang].update(_table)


def msg(lang: str, key: str, **values: object) -> str:
    """A message in ``lang`` (English when missing), with its values filled in."""
    table = MESSAGES.get(lang, MESSAGES["en"])
    return table.get(key, MESSAGES["en"][key]).format(**values)
