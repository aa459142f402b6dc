"""The page's sentences about money, per language (merged into ``ui.messages.MESSAGES``).

Offline none of them is ever shown: nothing is priced or billed there.
"""

from __future__ import annotations

MONEY_MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "money_estimate": "≈ {amount} for {seconds} s",
        "money_words": "Price: {words}",
        "money_unavailable": "price unavailable",
        "money_today": "today: {videos} videos, {amount}",
        "money_balance": "Your RunComfy balance: {amount}.",
        "money_balance_unknown": "Your RunComfy balance could not be read.",
        "money_budget": "This app's daily budget is spent ({spent} of {limit} in the last 24 hours), and "
        "this run would cost about {estimate}. Enough of it frees up in {wait}; or add your own RunComfy "
        "key. Nothing was sent.",
        "money_budget_unavailable": "This app's daily budget cannot be checked right now (its job "
        "history is unavailable), so nothing was sent on its key. Add your own key, or try again later.",
        "money_price_unavailable": "RunComfy's price could not be read, and this app's daily budget "
        "needs it, so nothing was sent. Try again in a moment.",
        "money_max_cost": "This run would cost about {estimate}, above the cap of {limit}. Nothing was sent.",
        "money_balance_low": "This run would cost about {estimate}, more than your RunComfy balance "
        "({balance}). Nothing was sent: top up your account, or pick a shorter length.",
        "money_refused": "This run was refused before anything was sent.",
    },
    "fr": {
        "money_estimate": "≈ {amount} pour {seconds} s",
        "money_words": "Prix : {words}",
        "money_unavailable": "prix indisponible",
        "money_today": "aujourd'hui : {videos} vidéos, {amount}",
        "money_balance": "Votre solde RunComfy : {amount}.",
        "money_balance_unknown": "Votre solde RunComfy n'a pas pu être lu.",
        "money_budget": "Le budget quotidien de cette application est épuisé ({spent} sur {limit} ces "
        "dernières 24 heures), et cette génération coûterait environ {estimate}. Il s'en libère assez "
        "dans {wait} ; ou ajoutez votre propre clé RunComfy. Rien n'a été envoyé.",
        "money_budget_unavailable": "Le budget quotidien de cette application ne peut pas être vérifié "
        "pour l'instant (son historique est indisponible) : rien n'a été envoyé avec sa clé. Ajoutez "
        "votre propre clé, ou réessayez plus tard.",
        "money_price_unavailable": "Le prix de RunComfy n'a pas pu être lu, et le budget quotidien de "
        "cette application en a besoin : rien n'a été envoyé. Réessayez dans un instant.",
        "money_max_cost": "Cette génération coûterait environ {estimate}, au-dessus du plafond de {limit}. "
        "Rien n'a été envoyé.",
        "money_balance_low": "Cette génération coûterait environ {estimate}, plus que votre solde RunComfy "
        "({balance}). Rien n'a été envoyé : rechargez votre compte, ou choisissez une durée plus courte.",
        "money_refused": "Cette génération a été refusée avant tout envoi.",
    },
}
