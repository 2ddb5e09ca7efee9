"""The rules type short situation reports in Azerbaijani, Russian and English, and say why."""

from __future__ import annotations

import pytest

from qalxan.intake.classify import RuleClassifier, Typing
from qalxan.intake.taxonomy import taxonomy

SENTENCES = {
    "peaceful-protest": [
        "Bakıda 200-ə yaxın sakin dinc etiraz aksiyası keçirib, şüarlarla su təchizatının "
        "bərpasını tələb ediblər.",
        "Gəncədə tələbələr universitetin qarşısında piket təşkil ediblər.",
        "Sumqayıtda fəhlələr maaş borclarına görə mitinq keçiriblər.",
        "В центре Тбилиси прошёл митинг против повышения цен на топливо.",
        "Около ста жителей провели мирную акцию у здания администрации.",
        "Работники завода объявили забастовку, требуя повышения зарплаты.",
        "On 3 May, about 300 teachers staged a peaceful protest in front of the ministry "
        "demanding higher salaries.",
        "Residents rallied outside the town hall to oppose the closure of the hospital.",
        "Farmers held a sit-in near the district office over water shortages.",
    ],
    "violent-demonstration": [
        "Etirazçılar polislə toqquşub, avtomobillərə daş atıblar.",
        "Aksiya iştirakçıları təkərləri yandırıb yolu bağlayıblar, kütləvi iğtişaş baş verib.",
        "Nümayiş zorakı aksiyaya çevrilib, etirazçılar polislə toqquşublar.",
        "Протестующие столкнулись с полицией и бросали камни в здание суда.",
        "В городе начались массовые беспорядки, демонстранты подожгли шины.",
        "Участники акции забросали полицейских камнями, возникли беспорядки.",
        "Protesters clashed with police and threw stones at the governor's office.",
        "Rioters burned tyres and vandalised shops after the match.",
        "The demonstration turned violent when protesters stormed the parliament building.",
    ],
    "armed-clash": [
        "Silahlı qruplaşmalar arasında atışma olub, iki nəfər həlak olub.",
        "Kənd yaxınlığında silahlı toqquşma baş verib.",
        "Hərbçilərimiz pusquya düşüb, döyüş bir saat davam edib.",
        "В районе посёлка произошла перестрелка между боевиками и военными.",
        "Военные попали в засаду, завязался бой.",
        "Произошло вооружённое столкновение между двумя группировками.",
        "Militants clashed with government forces near the village; casualties unknown.",
        "Soldiers exchanged fire with insurgents at a checkpoint overnight.",
        "A gunfight broke out between rival armed groups in the market.",
    ],
    "ceasefire-violation": [
        "Ermənistan silahlı qüvvələrinin bölmələri atəşkəs rejimini pozaraq mövqelərimizi "
        "atəşə tutub.",
        "Gecə ərzində atəşkəsin pozulması qeydə alınıb.",
        "Təmas xəttində atəşkəs rejimi 12 dəfə pozulub.",
        "Зафиксировано нарушение режима прекращения огня на линии соприкосновения.",
        "Противник нарушил режим прекращения огня, обстреляв позиции.",
        "Наблюдатели сообщили о нарушении перемирия в районе села.",
        "Observers reported ceasefire violations along the line of contact.",
        "The army said enemy units violated the ceasefire overnight.",
        "A breach of the ceasefire was recorded near the border village.",
    ],
    "shelling": [
        "Kənd artilleriya atəşinə tutulub, evlər zədələnib.",
        "Düşmən minaatanlardan yaşayış məntəqəsini atəşə tutub.",
        "Şəhərə raket zərbəsi endirilib.",
        "Город подвергся артиллерийскому обстрелу.",
        "Позиции обстреляли из миномётов.",
        "По окраинам города был нанесён ракетный удар.",
        "Forces shelled the outskirts of the town with artillery.",
        "Mortar rounds hit a residential area overnight.",
        "Rockets were fired at the airport.",
    ],
    "remote-explosive": [
        "Yol kənarında partlayıcı qurğu partlayıb.",
        "Mülki şəxs minaya düşüb, ağır yaralanıb.",
        "Partlayışda iki nəfər yaralanıb.",
        "На обочине сработало самодельное взрывное устройство.",
        "Тракторист подорвался на противотанковой мине.",
        "В результате взрыва пострадали двое.",
        "An IED exploded next to a police vehicle.",
        "A shepherd was injured by a landmine near the village.",
        "A roadside bomb detonated as the convoy passed.",
    ],
    "air-drone-strike": [
        "Mövqelərə PUA zərbəsi endirilib.",
        "Düşmən hava zərbəsi endirib.",
        "Dron zərbəsi nəticəsində texnika məhv edilib.",
        "Беспилотник нанёс удар по складу.",
        "Авиаудар пришёлся по окраине села.",
        "Боевые самолёты нанесли авиаудары по базам боевиков.",
        "An airstrike hit a weapons depot.",
        "A drone strike targeted a vehicle on the highway.",
        "Warplanes carried out air raids on militant positions.",
    ],
    "arrests": [
        "Cinayət törətməkdə şübhəli bilinən şəxs həbs edilib.",
        "Polis əməkdaşları tərəfindən iki nəfər saxlanılıb.",
        "Axtarışda olan şəxs yaxalanıb.",
        "Подозреваемый задержан сотрудниками полиции.",
        "Трое мужчин арестованы по подозрению в мошенничестве.",
        "Бывший чиновник взят под стражу.",
        "Police arrested three suspects after the robbery.",
        "Security forces detained a local official.",
        "Two men were taken into custody.",
    ],
    "drug-trafficking": [
        "Əməliyyat zamanı 5 kiloqram narkotik vasitələr müsadirə edilib.",
        "İrandan narkotik qaçaqmalçılığının qarşısı alınıb.",
        "Sərnişinin baqajında heroin aşkar edilib.",
        "У задержанного изъято 2 кг наркотиков.",
        "Пресечён канал наркотрафика.",
        "В машине обнаружены наркотические вещества.",
        "Customs officers seized 40 kg of heroin at the border crossing.",
        "Police dismantled a drug trafficking ring.",
        "Narcotics were found hidden in a truck.",
    ],
    "illegal-border-crossing": [
        "Dövlət sərhədini qanunsuz keçən iki şəxs saxlanılıb.",
        "Sərhəd pozucusu yaxalanıb.",
        "Sərhədi qanunsuz keçməyə cəhd edən şəxs aşkarlanıb.",
        "Задержан нарушитель государственной границы.",
        "Трое иностранцев незаконно пересекли границу.",
        "Пограничники выявили факт незаконного пересечения границы.",
        "Border guards detained a man who illegally crossed the border.",
        "Two border violators were apprehended near the river.",
        "A group of irregular migrants was stopped at the frontier.",
    ],
    "cyber-incident": [
        "Dövlət qurumlarının saytlarına DDoS hücumu edilib.",
        "Bank müştərilərinə qarşı fişinq kampaniyası aşkarlanıb.",
        "Nazirliyin serverləri kiberhücuma məruz qalıb.",
        "Сайт министерства подвергся DDoS-атаке.",
        "Зафиксирована фишинговая рассылка от имени банка.",
        "Хакеры взломали базу данных оператора.",
        "A ransomware attack disrupted the hospital's systems.",
        "Phishing emails targeted government employees.",
        "Hackers defaced the ministry website.",
    ],
    "earthquake": [
        "Şamaxıda 4,5 bal gücündə zəlzələ olub.",
        "Gecə yeraltı təkan hiss edilib.",
        "Zəlzələ nəticəsində evlərdə çatlar yaranıb.",
        "В Шамахы произошло землетрясение магнитудой 4,5.",
        "Жители ощутили подземные толчки.",
        "Землетрясение повредило несколько домов.",
        "A magnitude 5.1 earthquake struck near Shamakhi.",
        "The quake damaged several houses.",
        "Residents felt strong tremors overnight.",
    ],
    "flood": [
        "Güclü yağışlardan sonra çaylarda daşqın olub.",
        "Kəndləri su basıb.",
        "Daşqın nəticəsində yollar bağlanıb.",
        "Из-за наводнения эвакуированы жители трёх сёл.",
        "Паводок затопил дома.",
        "Наводнение разрушило мост.",
        "Floods inundated several villages.",
        "Flash flooding destroyed the bridge.",
        "The river burst its banks after heavy rain.",
    ],
    "mudflow": [
        "Dağ kəndində sel gəlib.",
        "Sel suları evləri basıb.",
        "Seldən sonra yol bağlanıb.",
        "В горном селе сошёл сель.",
        "Селевой поток перекрыл дорогу.",
        "Сель повредил мост.",
        "A mudflow blocked the mountain road.",
        "Debris flows damaged houses in the valley.",
        "A mudslide buried several cars.",
    ],
}


CUES = {
    "partlayışda": "remote-explosive",
    "atəşkəsin pozulması": "ceasefire-violation",
    "sərhədi qanunsuz keçən": "illegal-border-crossing",
    "narkotik vasitələr müsadirə edilib": "drug-trafficking",
    "daşqın": "flood",
    "sel": "mudflow",
    "etiraz aksiyası": "peaceful-protest",
    "dinc etiraz": "peaceful-protest",
    "qar uçqunu": "avalanche",
    "palçıq vulkanı": "mud-volcano",
    "insan alveri": "human-trafficking",
    "qaçaqmalçılıq": "smuggling",
    "kiberhücum": "cyber-incident",
    "взрыва": "remote-explosive",
    "обстреляли": "shelling",
    "задержан": "arrests",
    "изъято": "smuggling",
    "наркотики": "drug-trafficking",
    "землетрясение": "earthquake",
    "сель": "mudflow",
    "мирная акция": "peaceful-protest",
    "оползень": "landslide",
    "торговля людьми": "human-trafficking",
    "предотвратили теракт": "disrupted-plot",
    "фишинг": "cyber-incident",
    "DDoS": "cyber-incident",
    "phishing": "cyber-incident",
    "ransomware": "cyber-incident",
    "pipeline leak": "energy-infrastructure-damage",
    "sabotage of the pipeline": "energy-infrastructure-attack",
    "railway sabotage": "transport-infrastructure-attack",
    "the train derailed": "transport-infrastructure-damage",
    "forest fire": "wildfire",
    "factory explosion": "industrial-accident",
    "ammonia leak": "chemical-accident",
    "radiation": "radiological-accident",
    "cholera outbreak": "epidemic",
    "oil spill": "pollution",
    "arms smuggling": "arms-trafficking",
    "suicide bomber": "suicide-bomb",
    "chemical weapons": "chemical-weapon",
    "recaptured the town": "government-regains-territory",
    "took control of the town": "non-state-actor-overtakes-territory",
    "without a fight": "non-violent-transfer-of-territory",
    "curfew": "change-to-group-activity",
    "defused": "disrupted-weapons-use",
    "base established": "base-established",
    "lynched": "mob-violence",
    "tear gas": "protest-with-intervention",
}


@pytest.mark.parametrize(("text", "code"), CUES.items())
def test_a_cue_alone_types_its_report(text: str, code: str) -> None:
    assert RuleClassifier().classify(text).event_type == code


@pytest.mark.parametrize(
    ("code", "text"),
    [(code, text) for code, texts in SENTENCES.items() for text in texts],
)
def test_types_sentences_in_three_languages(code: str, text: str) -> None:
    typing = RuleClassifier().classify(text)
    assert typing.event_type == code, typing.explanation


def test_a_peaceful_protest_is_a_peaceful_protest() -> None:
    typing = RuleClassifier().classify(
        "On 12 March, around 150 residents held a peaceful protest in front of the city hall, "
        "demanding the repair of the water supply."
    )
    assert typing.event_type == "peaceful-protest"
    assert typing.acled_event_type == "Protests"
    assert not taxonomy().by_code[typing.event_type].is_threat


def test_the_explanation_lists_the_cues_and_their_weights() -> None:
    typing = RuleClassifier().classify("A roadside bomb exploded near the police station.")
    assert typing.method == "rules"
    assert typing.evidence[0].startswith("'roadside bomb' -> remote-explosive (+")
    assert "roadside bomb" in typing.explanation
    assert f"margin {typing.margin:.2f}" in typing.explanation


def test_the_explanation_shows_the_words_as_written() -> None:
    typing = RuleClassifier().classify("Partlayışda iki nəfər yaralanıb.")
    assert typing.evidence[0] == "'Partlayışda' -> remote-explosive (+3.50)"
    typing = RuleClassifier().classify("Soldiers were shot and killed by unknown gunmen.")
    assert "'Soldiers were shot' -> armed-clash (+5.00)" in typing.evidence
    assert "'killed by … gunmen' -> attack-on-civilians (+4.50)" in typing.evidence


def test_scores_are_sorted_and_sum_to_one() -> None:
    typing = RuleClassifier().classify("Police arrested two protesters during the rally.")
    values = [score for _, score in typing.scores]
    assert values == sorted(values, reverse=True)
    assert sum(values) == pytest.approx(1.0, abs=1e-4)
    assert typing.scores[0][0] == typing.event_type


def test_the_main_event_is_in_the_first_sentence() -> None:
    typing = RuleClassifier().classify(
        "On 4 April, residents protested in the town centre. Last month a bomb exploded there."
    )
    assert typing.event_type == "peaceful-protest"


def test_the_cause_of_a_protest_does_not_type_it() -> None:
    typing = RuleClassifier().classify(
        "Students demonstrated against the killing of a classmate by unknown gunmen."
    )
    assert typing.acled_event_type == "Protests"


def test_a_type_without_an_acled_equivalent_takes_the_best_acled_group() -> None:
    typing = RuleClassifier().classify(
        "An earthquake damaged houses; residents later protested against slow relief."
    )
    assert typing.event_type == "earthquake"
    assert typing.acled_event_type == "Protests"


def test_a_text_without_cues_gets_the_fallback_type() -> None:
    typing = RuleClassifier().classify("Nothing to report.")
    assert typing.event_type == "other-development"
    assert typing.evidence == ()
    assert "no cue matched" in typing.explanation


def test_classify_many_answers_in_order() -> None:
    texts = ["Zəlzələ olub.", "Произошло наводнение.", "Hackers leaked the database."]
    typings = RuleClassifier().classify_many(texts)
    assert [t.event_type for t in typings] == ["earthquake", "flood", "cyber-incident"]
    assert all(isinstance(t, Typing) for t in typings)
