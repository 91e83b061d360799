"""French word pools for the benchmark corpus.

Why hand-made lists: the corpus must look like what partners send (French titles and
descriptions, teacher vocabulary, ScoLOMFR level and discipline labels the aligner knows) while
staying deterministic and free of any external data. Every discipline carries its own topics
and keywords, so queries such as "volcans" or "fractions" are selective while "histoire" or
"carte" are broad, as in the real catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Discipline:
    # Labels as partners write them in dc:subject; each is matched whole by the aligner
    # (schemas/mappings/discipline_synonyms.tsv or the SKOS labels).
    labels: tuple[str, ...]
    # Subjects of titles ("Les volcans d'Auvergne").
    topics: tuple[str, ...]
    # Free keywords (dc:subject) and description vocabulary.
    keywords: tuple[str, ...]


DISCIPLINES: tuple[Discipline, ...] = (
    Discipline(
        ("mathématiques", "maths"),
        ("les fractions", "la proportionnalité", "le théorème de Pythagore", "les nombres décimaux",
         "la géométrie dans l'espace", "les équations du premier degré", "le calcul mental",
         "les statistiques", "les probabilités", "les fonctions affines", "le périmètre et l'aire",
         "la numération", "les angles", "la symétrie axiale", "le théorème de Thalès",
         "les suites numériques", "la trigonométrie", "les nombres premiers"),
        ("fractions", "calcul", "géométrie", "algèbre", "équation", "fonction", "triangle",
         "cercle", "probabilité", "statistique", "nombre", "division", "multiplication",
         "proportionnalité", "pourcentage", "graphique", "tableau", "mesure", "volume", "aire"),
    ),
    Discipline(
        ("français", "lettres", "littérature"),
        ("la poésie romantique", "le roman d'aventure", "la conjugaison du passé simple",
         "les fables de La Fontaine", "le théâtre de Molière", "l'argumentation",
         "la lecture à voix haute", "l'orthographe grammaticale", "le conte merveilleux",
         "Victor Hugo", "la nouvelle réaliste", "le vocabulaire des émotions",
         "l'écriture d'invention", "les figures de style", "la bande dessinée"),
        ("lecture", "écriture", "poésie", "roman", "conte", "grammaire", "orthographe",
         "conjugaison", "vocabulaire", "théâtre", "fable", "récit", "dictée", "auteur",
         "personnage", "narration", "rédaction", "oral", "littérature jeunesse"),
    ),
    Discipline(
        ("histoire-géographie", "histoire", "géographie"),
        ("la Révolution française", "la Première Guerre mondiale", "les châteaux forts",
         "l'Empire romain", "la Seconde Guerre mondiale", "les grandes découvertes",
         "la décolonisation", "la Ve République", "les paysages de montagne", "l'urbanisation",
         "les fleuves de France", "la mondialisation", "les littoraux", "la préhistoire",
         "l'Égypte ancienne", "la guerre froide", "les régions françaises", "Napoléon Bonaparte"),
        ("histoire", "géographie", "carte", "frise chronologique", "archive", "guerre",
         "révolution", "paysage", "territoire", "population", "ville", "fleuve", "montagne",
         "Moyen Âge", "Antiquité", "république", "empire", "patrimoine", "mémoire", "climat"),
    ),
    Discipline(
        ("sciences de la vie et de la Terre", "SVT", "biologie"),
        ("les volcans d'Auvergne", "la photosynthèse", "la digestion", "les séismes",
         "la biodiversité des forêts", "la cellule", "la reproduction des plantes",
         "le système nerveux", "l'évolution des espèces", "les roches sédimentaires",
         "la chaîne alimentaire", "le cycle de l'eau", "la génétique", "les micro-organismes"),
        ("volcan", "séisme", "cellule", "plante", "animal", "écosystème", "biodiversité",
         "roche", "fossile", "respiration", "nutrition", "génétique", "évolution", "santé",
         "environnement", "géologie", "forêt", "océan", "eau", "corps humain"),
    ),
    Discipline(
        ("physique-chimie", "physique", "chimie"),
        ("les circuits électriques", "les états de la matière", "la lumière et les couleurs",
         "la gravitation", "les réactions chimiques", "l'énergie cinétique", "le son",
         "les mélanges et solutions", "l'atome", "la vitesse", "la pression atmosphérique",
         "les ondes", "la radioactivité"),
        ("électricité", "énergie", "matière", "lumière", "atome", "molécule", "réaction",
         "force", "mouvement", "vitesse", "circuit", "expérience", "mesure", "température",
         "pression", "onde", "son", "masse", "gravitation", "chimie"),
    ),
    Discipline(
        ("anglais", "langues vivantes", "espagnol", "allemand"),
        ("les fêtes anglo-saxonnes", "se présenter en anglais", "la vie à Londres",
         "les verbes irréguliers", "le prétérit", "la culture hispanique", "Berlin aujourd'hui",
         "décrire sa maison", "les chansons traditionnelles"),
        ("anglais", "espagnol", "allemand", "oral", "compréhension", "dialogue", "civilisation",
         "vocabulaire", "grammaire", "chanson", "culture", "voyage", "prononciation"),
    ),
    Discipline(
        ("éducation musicale", "musique"),
        ("l'orchestre symphonique", "les instruments à vent", "le rythme", "l'opéra",
         "la chanson française", "le jazz", "Mozart", "les musiques du monde"),
        ("musique", "chant", "chorale", "instrument", "rythme", "orchestre", "écoute",
         "compositeur", "mélodie", "opéra", "partition", "son"),
    ),
    Discipline(
        ("arts plastiques", "histoire des arts"),
        ("l'impressionnisme", "la peinture de la Renaissance", "la sculpture", "le portrait",
         "l'architecture gothique", "le street art", "Picasso", "la photographie d'art"),
        ("peinture", "dessin", "sculpture", "couleur", "œuvre", "musée", "artiste", "portrait",
         "architecture", "patrimoine", "collage", "perspective"),
    ),
    Discipline(
        ("technologie", "sciences et technologie", "informatique"),
        ("la programmation avec Scratch", "les objets connectés", "les énergies renouvelables",
         "la robotique", "les réseaux informatiques", "l'algorithmique", "les matériaux",
         "la fabrication numérique"),
        ("programmation", "algorithme", "robot", "numérique", "objet technique", "énergie",
         "matériau", "réseau", "internet", "capteur", "conception", "innovation"),
    ),
    Discipline(
        ("EMC", "éducation civique"),
        ("la laïcité", "les institutions de la République", "le harcèlement scolaire",
         "les droits de l'enfant", "l'égalité filles-garçons", "le vote", "la citoyenneté"),
        ("citoyenneté", "laïcité", "droit", "république", "démocratie", "respect", "égalité",
         "liberté", "solidarité", "débat", "vote"),
    ),
    Discipline(
        ("EPS", "éducation physique"),
        ("la course d'orientation", "les sports collectifs", "la natation", "l'athlétisme",
         "la danse", "l'escalade", "le handball"),
        ("sport", "course", "natation", "jeu collectif", "danse", "santé", "échauffement",
         "équipe", "motricité", "orientation"),
    ),
    Discipline(
        ("philosophie", "sciences économiques et sociales", "économie"),
        ("la conscience", "la liberté", "le marché", "la croissance économique", "le travail",
         "la justice", "les inégalités sociales", "la monnaie"),
        ("philosophie", "conscience", "liberté", "vérité", "morale", "économie", "marché",
         "société", "travail", "monnaie", "croissance", "inégalité"),
    ),
)

# Levels grouped by stage: a record's 1–4 levels come from one stage, as in real partner data.
LEVEL_STAGES: tuple[tuple[str, ...], ...] = (
    ("maternelle", "GS", "MS", "PS", "cycle 1"),
    ("CP", "CE1", "CE2", "cycle 2"),
    ("CM1", "CM2", "6e", "cycle 3"),
    ("6e", "5e", "4e", "3e", "cycle 4"),
    ("2de", "1re", "terminale", "lycée"),
    ("2de pro", "1re pro", "terminale pro", "lycée pro"),
)
STAGE_WEIGHTS = (4, 14, 24, 30, 22, 6)

GENERAL = (
    "ressource", "document", "activité", "séance", "séquence", "élève", "classe", "enseignant",
    "découverte", "étude", "analyse", "observation", "exemple", "question", "réponse",
    "exercice", "consigne", "travail", "groupe", "projet", "présentation", "notion",
    "connaissance", "compétence", "méthode", "démarche", "objectif", "programme", "cycle",
    "support", "vidéo", "image", "texte", "extrait", "source", "archive", "collection",
    "illustration", "schéma", "document sonore", "reportage", "entretien", "témoignage",
    "fiche", "évaluation", "correction", "synthèse", "bilan", "trace écrite", "cahier",
    "manuel", "atelier", "sortie", "visite", "enquête", "recherche", "problème", "situation",
    "contexte", "époque", "siècle", "région", "pays", "monde", "France", "Europe", "Paris",
    "société", "nature", "vie", "temps", "espace", "lieu", "histoire", "carte", "eau",
)
ADJECTIVES = (
    "important", "principal", "ancien", "moderne", "contemporain", "historique", "local",
    "national", "européen", "scientifique", "numérique", "pratique", "simple", "complet",
    "illustré", "interactif", "collaboratif", "progressif", "original", "inédit", "célèbre",
    "quotidien", "régional", "naturel", "culturel", "artistique", "documentaire", "pédagogique",
)
VERBS = (
    "présente", "explique", "propose", "montre", "décrit", "analyse", "illustre", "raconte",
    "retrace", "permet de comprendre", "invite à découvrir", "met en évidence", "aborde",
    "compare", "interroge", "résume", "approfondit", "introduit", "questionne", "évoque",
)
CONNECTORS = (
    "Ensuite", "Par ailleurs", "En outre", "Enfin", "Ainsi", "De plus", "Cependant",
    "Pour commencer", "Dans un second temps", "À travers cet exemple", "En classe",
    "Au fil de la séance", "Pour conclure",
)
FORMATS = (
    "Fiche pédagogique", "Vidéo", "Dossier documentaire", "Exercices", "Carte",
    "Séquence", "Diaporama", "Jeu éducatif", "Reportage", "Podcast", "Frise", "Évaluation",
    "Atelier", "Quiz", "Exposition virtuelle", "Archive",
)
ANGLES = (
    "comprendre et expliquer", "une introduction", "activités pour la classe",
    "dossier pour l'enseignant", "à travers les archives", "exercices corrigés",
    "pistes pédagogiques", "découvrir en s'amusant", "points de repère", "un exemple concret",
    "étude de cas", "enquête en classe", "l'essentiel à retenir",
)
FIRST_NAMES = (
    "Marie", "Jean", "Pierre", "Claire", "Sophie", "Luc", "Anne", "Paul", "Julie", "Michel",
    "Nathalie", "Thomas", "Camille", "Hélène", "François", "Isabelle", "Nicolas", "Élodie",
    "Antoine", "Céline", "Louis", "Mathilde", "Yves", "Aurélie",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
)
ROLES = ("", "", "", ". Illustrateur", ". Auteur du texte", ". Photographe", ". Réalisateur")
PLACES = (
    "Auvergne", "Bretagne", "Paris", "Lyon", "Marseille", "Lille", "Bordeaux", "Alpes",
    "Massif central", "Normandie", "Provence", "Guadeloupe", "La Réunion", "Corse",
    "Toulouse", "Strasbourg", "Nantes", "Loire", "Pyrénées", "Martinique",
)
PERIODS = ("1914-1918", "1789-1799", "1939-1945", "XIXe siècle", "1848", "1870-1871", "1958")
# dc:type values the readers map through schemas/mappings/types.tsv.
TYPES = (
    ("texte", 30), ("image", 12), ("vidéo", 16), ("carte", 8), ("son", 6), ("photographie", 8),
    ("jeu de données", 4), ("livre", 6), ("partition", 2), ("logiciel", 2), ("film", 6),
)
MEDIA = {
    "texte": "application/pdf", "image": "image/jpeg", "vidéo": "video/mp4", "carte": "image/png",
    "son": "audio/mpeg", "photographie": "image/jpeg", "jeu de données": "text/csv",
    "livre": "application/pdf", "partition": "application/pdf", "logiciel": "application/zip",
    "film": "video/mp4",
}
# dc:rights statements the licence table recognises, with weights.
LICENCES = (
    ("Licence Ouverte 2.0", 25), ("CC BY 4.0", 15), ("CC BY-SA 4.0", 15),
    ("CC BY-NC-SA 4.0", 12), ("CC BY-NC-ND 4.0", 8), ("domaine public", 15),
    ("Tous droits réservés", 10),
)
LANGUAGES = (("fre", 82), ("fr", 8), ("eng", 5), ("spa", 2), ("ger", 2), ("ita", 1))
