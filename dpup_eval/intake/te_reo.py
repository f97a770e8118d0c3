"""Everyday te reo Māori words, so that the name finder does not read them as names.

Why: te reo Māori is part of how New Zealanders write, in feedback and in notes alike ("the tamariki
loved the kai", "Ka pai", "Aroha nui"). Māori and Pacific names share the sound shape of these words, and
the name finder recognises names by that shape, so the everyday words have to be known. Several are also
given names (Aroha, Tama, Hine, Moana, Rangi, Mana): listed here, they count as names only with context
("Aroha said", "my daughter Aroha").

The list is the common vocabulary of NZ English and of programme work (family, people, places, feelings,
greetings, programme and tikanga words), each with and without macrons, since both are typed.
"""

from __future__ import annotations

import unicodedata

__all__ = ["TE_REO_WORDS", "without_macrons"]


def _words(text: str) -> list[str]:
    """The words of a space-separated list (keeps long word lists readable)."""
    return text.split()

_WORDS = _words(
    """
whānau tamariki tamaiti mokopuna moko pēpi pepe rangatahi kaumātua kuia koro koroua tupuna tīpuna tūpuna
matua mātua whaea māmā pāpā tuakana teina tungāne tuahine hoa wahine wāhine tāne tangata tāngata tama
hine kōtiro tamaroa iwi hapū marae whare wharenui wharekai kāinga kainga whenua maunga awa moana roto
rangi ao pō ra rā wai kai kōrero korero aroha mana manaaki manaakitanga wairua tapu noa mauri mahi hui
kaupapa tikanga kawa whakapapa whanaungatanga whakawhanaungatanga kaitiakitanga rangatiratanga
tautoko awhi āwhina awhina ako kura kōhanga reo wānanga wananga pukapuka waiata haka karakia mihi
pōwhiri powhiri poroporoaki kōhatu pounamu taonga tohu tūranga hauora oranga ora pai rawe tino nui iti
kaha māia koa harikoa pōuri pouri riri mamae ngākau hinengaro tinana puku kai wharepaku kākahu waka
Aotearoa Māori Maori Pākehā Pakeha tauiwi Pasifika Moana kia ora kiaora tēnā koe kōrua koutou mōrena
morena ka kei hei e i a o te ngā nga ki kua nō no mō mo tēnei tēnā tērā ēnei ahau au koe ia mātou tātou
rātou kōrua rāua māua tāua aku tōku tāku tōna tāna ō ā anō ano ināianei inaianei āpōpō apopo inanahi
ināianei hoki ake atu mai rā nei nā ana anake katoa tahi rua toru whā rima ono whitu waru iwa tekau
haere hoki mai hoatu homai noho tū tu kite rongo mōhio mohio pīrangi pirangi hiahia whakaaro kōrerotia
whakamā whakama whakarongo titiro kōrero aroha nui arohanui mauri ora hauora kōhanga tamariki mokopuna
whāngai whangai atawhai tiaki tiakina tautoko tika pono whakatika whakamana whakapiki whakaora
Matariki Waitangi Tiriti tiriti rūnanga runanga rōpū ropu hapori pakeke kaimahi kaiārahi kaiarahi
kaiāwhina kaiawhina kaiako tumuaki kaiwhakahaere rangatira ariki tohunga whānui whanui ngāti ngati
kiwi kai moana kaimoana kūmara kumara rēwena rewena hāngī hangi paraoa taewa puha pūhā
puni kōkiri kokiri waiora wairuatanga kotahitanga whakatōhea mahi-tahi mahitahi tuia haumaru hāpori pēpi tamahine tamāhine
"""
)


def without_macrons(word: str) -> str:
    """The word with ā ē ī ō ū written as plain vowels, as many keyboards type it."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


#: Everyday te reo words in lower case, each with and without macrons.
TE_REO_WORDS: frozenset[str] = frozenset(
    form for word in _WORDS for form in (word.lower(), without_macrons(word.lower()))
)
