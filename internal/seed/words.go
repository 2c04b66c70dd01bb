package seed

// The word lists below are written for this generator. Every name built from
// them is invented: places, organisations, incubators and products do not
// exist, and people's names are common French first names and surnames
// paired at random.

var firstNames = []string{
	"Camille", "Léa", "Manon", "Chloé", "Inès", "Jade", "Louise", "Emma", "Sarah", "Julie",
	"Claire", "Pauline", "Marion", "Anaïs", "Lucie", "Élodie", "Mathilde", "Charlotte", "Margaux", "Hélène",
	"Sophie", "Nathalie", "Isabelle", "Aurélie", "Céline", "Amandine", "Juliette", "Agathe", "Alice", "Zoé",
	"Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Alexandre", "Guillaume", "Pierre", "Romain", "Hugo",
	"Lucas", "Louis", "Paul", "Arthur", "Mathieu", "Sébastien", "Vincent", "François", "Olivier", "Benoît",
	"Damien", "Florian", "Adrien", "Quentin", "Baptiste", "Clément", "Jérôme", "Yann", "Karim", "Mehdi",
	"Samir", "Youssef", "Amine", "Sofiane", "Nadia", "Fatima", "Yasmine", "Leïla", "Aïcha", "Mamadou",
}

var lastNames = []string{
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
	"Simon", "Michel", "Lefebvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
	"Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier",
	"Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin",
	"Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Masson", "Marchand", "Duval", "Denis",
	"Dumont", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly",
	"Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard",
	"Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert",
	"Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Benoît", "Rey", "Leclerc",
	"Payet", "Rolland", "Le Gall", "Da Silva", "Le Goff", "Hoarau", "Diallo", "Nguyen", "Traoré", "Haddad",
}

// places are invented French-sounding place names.
var places = []string{
	"Valbrume", "Argentelle", "Pierrelune", "Ormevoie", "Calmeraie", "Montfleuri-sur-Brume",
	"Saint-Ombrelin", "Vaucerfeuil", "Lisandre-les-Bains", "Boisdoré-la-Lune", "Haute-Brumance",
	"Rivelune", "Clairebrume", "Fontombre", "Merlevent", "Sombreval", "Aubebrume", "Ventelune",
}

// subjects complete an organisation name after a noun ("Agence nationale
// …"); the domaine ministériel is that of an organisation named after it.
var subjects = []struct{ name, domaine string }{
	{"des mobilités douces", "territoires"},
	{"des littoraux et des estuaires", "environnement"},
	{"de la forêt et des sols vivants", "agriculture"},
	{"des données territoriales", "territoires"},
	{"de la vie associative locale", "sport"},
	{"des parcours professionnels", "travail"},
	{"de l'habitat durable", "territoires"},
	{"des savoirs fondamentaux", "education"},
	{"de la prévention des risques naturels", "environnement"},
	{"des circuits courts alimentaires", "agriculture"},
	{"de l'accès aux droits sociaux", "solidarite-sante"},
	{"de la qualité de l'air intérieur", "environnement"},
	{"des métiers d'art", "culture"},
	{"du patrimoine fluvial", "culture"},
	{"de la sobriété énergétique", "environnement"},
	{"des aidants familiaux", "solidarite-sante"},
	{"de la médiation numérique", "spm"},
	{"de la formation continue", "travail"},
	{"des achats responsables", "bercy"},
	{"de la sécurité des réseaux", "interieur"},
	{"des jeunes en insertion", "travail"},
	{"de la ruralité vivante", "territoires"},
	{"des espaces naturels", "environnement"},
	{"du réemploi et des déchets", "environnement"},
	{"de l'eau douce", "environnement"},
	{"des mobilités rurales", "territoires"},
	{"de la commande publique durable", "bercy"},
	{"de l'accueil des usagers", "interieur"},
	{"de la simplification des démarches", "spm"},
	{"des archives vivantes", "culture"},
	{"de la lecture publique", "culture"},
	{"du sport pour tous", "sport"},
	{"de la santé environnementale", "solidarite-sante"},
	{"des soins de proximité", "solidarite-sante"},
	{"de l'égalité des territoires", "territoires"},
	{"des ports de plaisance", "environnement"},
	{"des sols et sous-sols", "environnement"},
	{"de la biodiversité ordinaire", "environnement"},
	{"de la démocratie participative", "spm"},
	{"des transitions agricoles", "agriculture"},
	{"des énergies locales", "environnement"},
	{"de la prévention routière", "interieur"},
	{"des services de proximité", "territoires"},
	{"de l'orientation scolaire", "education"},
	{"des pratiques culturelles", "culture"},
	{"de l'adaptation au climat", "environnement"},
	{"des communs numériques", "spm"},
	{"de l'aide aux victimes", "justice"},
	{"de la justice de proximité", "justice"},
	{"des recherches partagées", "enseignement-sup"},
	{"de la coopération internationale", "affaires-etrangeres"},
	{"de la réserve citoyenne", "armees"},
}

// orgKind describes how the organisations of one type are named.
type orgKind struct {
	typ      string
	perBlock int      // organisations of this type among orgsPerBlock
	nouns    []string // name heads, completed by a subject or a place
	byPlace  bool     // heads take a place ("Préfecture de Valbrume")
}

// orgKinds lists the organisation types in the shares of the real network.
var orgKinds = []orgKind{
	{"administration-centrale", 81, []string{
		"Direction générale", "Direction", "Délégation interministérielle", "Secrétariat général",
		"Mission interministérielle", "Service du numérique",
	}, false},
	{"operateur", 18, []string{
		"Agence nationale", "Office national", "Institut national", "Centre national", "Établissement public",
	}, false},
	{"service-deconcentre", 13, []string{
		"Préfecture de", "Direction départementale des territoires de", "Direction régionale de l'emploi de",
		"Rectorat de", "Agence régionale de santé de",
	}, true},
	{"collectivite-territoriale", 4, []string{
		"Département de", "Région de", "Ville de", "Communauté de communes de", "Métropole de",
	}, true},
	{"securite-sociale", 4, []string{
		"Caisse nationale", "Caisse centrale", "Union des caisses", "Fonds national",
	}, false},
	{"autre", 23, []string{
		"Groupement d'intérêt public", "Fondation", "Association nationale", "Conseil national",
		"Observatoire", "Réseau",
	}, false},
}

// domainesMinisteriels and their weights follow the real network.
var domainesMinisteriels = []string{
	"environnement", "solidarite-sante", "interieur", "justice", "spm", "autres", "territoires", "bercy",
	"agriculture", "travail", "education", "culture", "enseignement-sup", "armees", "affaires-etrangeres", "sport",
}

var domaineWeights = []int{25, 18, 15, 11, 10, 9, 9, 9, 8, 8, 6, 6, 3, 3, 2, 1}

// incubatorBase names the incubators of one block; the weight is the share
// of the block's startups the incubator hosts (a few large, many small).
var incubatorBase = []struct {
	slug, title string
	weight      int
}{
	{"communs-publics", "Incubateur des Communs Publics", 124},
	{"atelier-transition", "Atelier numérique de la Transition", 111},
	{"lab-solidarites", "Lab des Solidarités", 93},
	{"pepiniere-emploi", "Pépinière numérique de l'Emploi", 34},
	{"studio-services", "Studio des Services Publics", 33},
	{"incubateur-littoraux", "Incubateur de la Mer et des Littoraux", 32},
	{"atelier-prevention", "Atelier Santé Prévention", 27},
	{"incubateur-mobilites", "Incubateur des Mobilités", 27},
	{"lab-education", "Lab de l'Éducation Ouverte", 25},
	{"atelier-droits", "Atelier Justice et Droits", 25},
	{"incubateur-patrimoine", "Incubateur Culture et Patrimoine", 25},
	{"studio-ruralite", "Studio Territoires Ruraux", 19},
	{"lab-agriculture", "Lab Agriculture Durable", 15},
	{"atelier-donnees", "Atelier des Données Ouvertes", 13},
	{"incubateur-protection-civile", "Incubateur de la Protection Civile", 10},
	{"pepiniere-collectivites", "Pépinière des Collectivités", 10},
	{"lab-habitat", "Lab Logement et Habitat", 9},
	{"atelier-jeunesse", "Atelier Sport et Jeunesse", 8},
	{"incubateur-energie-locale", "Incubateur de l'Énergie Locale", 7},
	{"studio-cyber", "Studio Cyberdéfense Civile", 7},
	{"lab-demarches", "Lab des Démarches Simples", 4},
	{"atelier-accueil", "Atelier de l'Accueil Usagers", 4},
	{"incubateur-recherche", "Incubateur de la Recherche Publique", 3},
}

// teamKinds name an incubator's teams: every incubator has the first, the
// first incubatorsWithTwoTeams of a block have the second as well.
var teamKinds = []struct{ name, slug, mission string }{
	{"Animation", "animation", "Anime la communauté de l'incubateur et accompagne les équipes au quotidien."},
	{"Responsable de portefeuille", "portefeuille", "Suit les startups du portefeuille, prépare les comités d'investissement et rend compte de l'impact."},
}

// Startup names are a coined word, prefix+suffix, sometimes followed by a
// qualifier.
var namePrefixes = []string{
	"Ava", "Bali", "Brio", "Cali", "Cera", "Cleo", "Dali", "Elio", "Fila", "Galo",
	"Heli", "Iro", "Jova", "Kali", "Lumi", "Mira", "Navi", "Ocea", "Pali", "Quiri",
	"Rova", "Sela", "Tiva", "Ulmo", "Vela", "Wago", "Xeno", "Yola", "Zeli", "Ambro",
	"Belva", "Corva", "Deme", "Flori", "Grani", "Holo", "Isla", "Luno", "Mezzo", "Nori",
	"Orvi", "Prisma", "Reva", "Silva", "Tera", "Umbra", "Vito", "Zora", "Alto", "Bruma",
}

var nameSuffixes = []string{
	"lis", "nova", "vis", "tek", "mo", "ra", "sens", "dom", "scope", "lien",
	"ria", "tale", "mine", "vue", "pol", "gram", "ligne", "fil", "trace", "cap",
	"port", "nid", "bus", "toit", "rade", "phare", "rond", "sol", "vert", "zen",
	"pic", "roc", "lab", "doc", "cité", "val", "flux", "quai", "pont", "gué",
}

var nameQualifiers = []string{
	"Territoires", "Santé", "Emploi", "Jeunes", "Agri", "Pro", "Collectivités", "Solidaire",
	"Citoyen", "Mer", "Écoles", "Habitat", "Mobilité", "Justice", "Culture", "Énergie",
}

// Pitches: a template with the users and an action.
var pitchUsers = []string{
	"agriculteurs", "collectivités rurales", "demandeurs d'emploi", "agents publics", "familles",
	"élèves", "enseignants", "associations", "artisans", "bénévoles", "aidants", "jeunes en insertion",
	"élus locaux", "professionnels de santé", "propriétaires", "locataires", "étudiants", "pêcheurs",
	"victimes", "greffiers", "inspecteurs", "entreprises", "habitants", "gestionnaires de voirie",
}

var pitchActions = []string{
	"trouver une formation adaptée", "déclarer leurs données en une seule fois",
	"suivre l'avancement de leurs démarches", "accéder à leurs droits", "réduire leur consommation d'énergie",
	"signaler un problème sur la voie publique", "prendre rendez-vous en ligne", "partager des données fiables",
	"mesurer l'impact de leurs actions", "préparer un dossier de subvention", "trouver un logement",
	"s'orienter dans les aides publiques", "réserver des équipements partagés",
	"organiser des trajets partagés", "gérer leurs marchés publics", "comprendre une décision administrative",
	"repérer les risques naturels autour d'eux", "valoriser les matériaux de chantier",
	"obtenir une autorisation plus vite", "planifier l'entretien de leurs bâtiments",
	"échanger avec l'administration", "évaluer la qualité de l'eau", "recruter plus simplement",
}

var pitchTemplates = []string{
	"Aider les %s à %s.",
	"Permettre aux %s %s.", // the action takes "de" or "d'"
	"Un service numérique pour que les %s puissent %s.",
}

var thematiques = []string{
	"Écologie", "Administratif", "Territoires", "Travail / Emploi", "Collectivités", "Outil technique",
	"Open-Data", "Social", "Agriculture", "Jeunesse", "Formation", "Santé", "Logement", "Entreprises",
	"Justice", "Inclusion numérique", "Démocratie", "Transports", "Patrimoine", "Éducation", "Mer", "Culture",
}

var thematiqueCounts = newTable(430, 230, 170, 90, 50, 30) // 0 to 5 thematiques

var usertypes = []string{"etat", "particulier", "collectivite-territoriale", "entreprise", "association", "etablissement-scolaire"}

var usertypeWeights = newTable(244, 206, 168, 127, 65, 37)

var technos = []string{
	"python", "django", "react", "typescript", "next.js", "postgresql", "docker", "ruby", "rails", "vue",
	"java", "angular", "php", "symfony", "node", "nestjs", "flask", "grist", "metabase", "kubernetes",
}

var accessibilityStatuses = []string{"non conforme", "partiellement conforme", "totalement conforme"}

// phaseDescriptions are the short descriptions of the phase definitions.
var phaseDescriptions = []string{
	"L'équipe explore le problème sur le terrain avant de décider de construire.",
	"L'équipe construit un premier service et le teste avec de vrais usagers.",
	"Le service a fait ses preuves ; l'équipe le déploie pour en accroître l'impact.",
	"Le service prépare sa sortie d'incubation et son fonctionnement dans la durée.",
	"Le service est confié à une administration qui le fait vivre.",
	"Le service est opéré durablement au sein du réseau.",
	"Le service a été arrêté pendant l'incubation.",
	"L'investigation n'a pas mené à la construction d'un service.",
}

// Employers of members, by mission status. Public agents are employed by an
// organisation of the network (see missionEmployer).
var freelanceEmployers = []string{
	"Collectif Sémaphore", "Coopérative Tangente", "Plateforme Indépendants Ouest", "Coopérative des Faiseurs",
	"Collectif Boussole Libre",
}

var serviceEmployers = []string{
	"Ardoise Conseil", "Nébuleuse Numérique", "Rivage Digital", "Studio Pervenche", "Hélix et Associés",
	"Cime Ingénierie", "Octant Services",
}

// Committee comments by decision.
var (
	continueComments = []string{
		"Poursuite de la phase en cours.",
		"Poursuite validée, objectifs d'impact reconduits.",
		"Le comité valide la poursuite avec le même budget.",
		"Poursuite ; point d'attention sur la mesure de l'impact.",
	}
	adjustComments = []string{
		"Poursuite avec ajustement du périmètre.",
		"Recentrage demandé sur les usagers prioritaires.",
		"Budget revu à la baisse, équipe resserrée.",
	}
	unspecifiedComments = []string{"Point d'étape.", "Comité de suivi.", "Revue du portefeuille."}
	stopComments        = []string{
		"Arrêt décidé : impact insuffisant au regard des moyens.",
		"Fin de l'investigation sans suite donnée.",
		"Arrêt du service faute de sponsor pour la suite.",
	}
	transferComments = []string{
		"Transfert du service à l'administration partenaire validé.",
		"Reprise du service par le sponsor actée.",
	}
	operateComments = []string{"Pérennisation du service au sein du réseau validée."}
)

var otherEventComments = []string{
	"Ouverture à de nouveaux territoires.", "Refonte du parcours usager.", "Changement d'intrapreneur.",
	"Signature d'une convention avec un nouveau partenaire.", "Premier bilan d'impact publié.",
}

var launchComments = []string{"Mise en ligne de la première version.", "Ouverture aux premiers usagers.", ""}

var impactComments = []string{"Déploiement national.", "Ouverture à tout le territoire.", ""}
