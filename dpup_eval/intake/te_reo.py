"""Everyday te reo Māori words, so that the name finder does not read them as names.

Why: te reo Māori is part of how New Zealanders write, in feedback and in notes alike ("the tamariki
loved the kai", "Ka pai", "Aroha nui"). Māori and Pacific names share the sound shape of these words, and
the name finder recognises names by that shape, so the everyday words have to be known. Several are also
given names (Aroha, Tama, Hine, Moana, Rangi, Mana): listed here, they count as names only with context
("Aroha said", "my daughter Aroha").

The list is the common vocabulary of NZ English and of programme work (family, people, places, feelings,
greetings, programme and tikanga words, birds and trees, months and days), and everyday words and islands
of the Pacific languages spoken here, each with and without macrons, since both are typed. Birds and trees
that are common given names (Tūī, Nīkau, Kauri) are left out: in notes they are far more often a child.
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
kererū kereru kōtare kotare pīwakawaka piwakawaka ruru kākā kaka kea kōkako kokako weka pūkeko pukeko
kōwhai kowhai pōhutukawa pohutukawa mānuka manuka kānuka kanuka rimu tōtara totara pūriri puriri
harakeke ponga kawakawa karaka
waea pūkoro pukoro īmēra imera rorohiko ipurangi pātai patai kāore kaore āe ae kāo kao
Kohitātea Huitanguru Poutūterangi Paengawhāwhā Haratua Pipiri Hōngongoi Hereturikōkā Mahuru Hakihea
Rāhina Rātū Rāapa Rāpare Rāmere Rāhoroi Rātapu
"""
)
# Everyday words of the Pacific languages spoken here (Samoan, Tongan, Cook Islands Māori, Niuean, Fijian,
# Tokelauan), greetings first, and the islands people come from ("Rarotonga holiday", "Talofa lava").
_PACIFIC = _words(
    """
talofa lava mālō malo lelei bula vinaka orana meitaki fakaalofa lahi atu fakaaue fakafetai faafetai
fa'afetai tulou aiga kāiga kaiga lotu fono umu palusami lu sipi kumala ota ika povi pisupo siapo tapa
tofa
Rarotonga Aitutaki Atiu Mangaia Tongatapu Vavau Haapai Upolu Savaii Tutuila Manono Funafuti Nukunonu
Fakaofo Atafu Alofi Tarawa Nadi Lautoka Suva Apia Avarua Nukualofa Levu Viti Vanua
"""
)


def without_macrons(word: str) -> str:
    """The word with ā ē ī ō ū written as plain vowels, as many keyboards type it."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


#: Everyday te reo words in lower case, each with and without macrons.
TE_REO_WORDS: frozenset[str] = frozenset(
    form for word in (*_WORDS, *_PACIFIC) for form in (word.lower(), without_macrons(word.lower()))
)
