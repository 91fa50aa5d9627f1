//! A synthetic Latin American migrant registry with known truth, for measuring linkage.
//!
//! People come in households: Venezuelan, Colombian and other Spanish-speaking families
//! follow the two-surname convention (a child takes the father's first surname and the
//! mother's first surname), Haitian families one surname passed from the father, with
//! compound given names (Marie Carmel, Jean Robert), Chinese families pinyin names.
//! Siblings share surnames, phone and municipality and often a first given name (María
//! Fernanda, María José); twins share a date of birth; some sons carry their father's
//! given names. Surname and given-name frequencies are rank-based (Zipf) over lists of
//! common names plus a generated long tail, an approximation of published frequency
//! tables (not official statistics).
//!
//! A share `dup_rate` of people register again, once or more, alone or with their whole
//! household (which then gets a new household id), with independent corruptions that
//! combine: nicknames, typos, phonetic spellings, dropped or swapped surnames, given name
//! and surname in each other's fields, day and month swapped, a wrong digit, missing or
//! partial birth dates, new phones, different documents, a move. Truth is kept apart.

use crate::linkage::{ClusterAssignment, LinkRecord};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// Corruption probabilities applied independently to each duplicate record.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Corruption {
    /// Replace the first given name by a nickname (when the table has one).
    pub nickname: f64,
    /// One typo in a given name.
    pub given_typo: f64,
    /// Drop the second given name.
    pub drop_second_given: f64,
    /// Use the second given name only.
    pub second_given_only: f64,
    /// One typo in a surname.
    pub surname_typo: f64,
    /// A phonetic respelling of a surname (z/s, v/b, ll/y, silent h).
    pub surname_phonetic: f64,
    /// Surnames in the wrong order.
    pub surname_swap: f64,
    /// Second surname dropped.
    pub drop_second_surname: f64,
    /// Given name and first surname in each other's fields.
    pub name_field_swap: f64,
    /// Accents dropped.
    pub drop_accents: f64,
    /// Day and month swapped (when the day is 12 or less).
    pub dob_swap_day_month: f64,
    /// One digit of the date wrong.
    pub dob_digit: f64,
    /// Date of birth missing.
    pub dob_missing: f64,
    /// Only the year (or year and month) given.
    pub dob_partial: f64,
    /// A new phone number.
    pub new_phone: f64,
    /// No phone.
    pub no_phone: f64,
    /// Another document (type and number).
    pub other_document: f64,
    /// No document.
    pub no_document: f64,
    /// One digit of the document number wrong.
    pub document_typo: f64,
    /// Registered in another municipality.
    pub moved: f64,
    /// Sex missing.
    pub sex_missing: f64,
    /// Nationality missing.
    pub nationality_missing: f64,
}

impl Default for Corruption {
    fn default() -> Self {
        Corruption {
            nickname: 0.12,
            given_typo: 0.12,
            drop_second_given: 0.20,
            second_given_only: 0.04,
            surname_typo: 0.12,
            surname_phonetic: 0.10,
            surname_swap: 0.05,
            drop_second_surname: 0.15,
            name_field_swap: 0.02,
            drop_accents: 0.40,
            dob_swap_day_month: 0.07,
            dob_digit: 0.07,
            dob_missing: 0.10,
            dob_partial: 0.04,
            new_phone: 0.45,
            no_phone: 0.15,
            other_document: 0.35,
            no_document: 0.20,
            document_typo: 0.05,
            moved: 0.30,
            sex_missing: 0.03,
            nationality_missing: 0.04,
        }
    }
}

/// A synthetic registry: records in registration order and, apart, which person each is.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthRegistry {
    /// Records, in registration-date order.
    pub records: Vec<LinkRecord>,
    /// `record_id → person id` (the truth).
    pub truth: Vec<ClusterAssignment>,
}

const VEN_MALE: &[&str] = &[
    "José",
    "Luis",
    "Carlos",
    "Juan",
    "Jesús",
    "Miguel",
    "Antonio",
    "Jorge",
    "Manuel",
    "Francisco",
    "Pedro",
    "Rafael",
    "David",
    "Daniel",
    "Alejandro",
    "Ángel",
    "Eduardo",
    "José Gregorio",
    "Juan Carlos",
    "Luis Alberto",
    "José Luis",
    "Víctor",
    "Ramón",
    "Fernando",
    "Roberto",
    "Ricardo",
    "Óscar",
    "Alberto",
    "Andrés",
    "Gabriel",
    "Javier",
    "Héctor",
    "Enrique",
    "Guillermo",
    "Gustavo",
    "Julio",
    "Alexander",
    "Jhon",
    "Wilmer",
    "Yorman",
    "Yonathan",
    "Kevin",
    "Jefferson",
    "Anderson",
    "Brayan",
    "Samuel",
    "Sebastián",
    "Santiago",
    "Diego",
    "Mateo",
    "Nicolás",
    "Ignacio",
    "Gonzalo",
    "Salvador",
    "Rodolfo",
    "Alfonso",
    "Gregorio",
    "Ernesto",
    "Agustín",
    "Vicente",
    "Lorenzo",
    "Rodrigo",
    "Adolfo",
    "Orlando",
    "Freddy",
    "Nelson",
    "Richard",
    "Edgar",
    "Hugo",
    "Leonardo",
    "Armando",
    "Emilio",
    "Félix",
    "Simón",
    "Tomás",
    "Elías",
    "Isaac",
    "Moisés",
    "Abraham",
    "Darío",
];
const VEN_FEMALE: &[&str] = &[
    "María",
    "Ana",
    "Carmen",
    "Rosa",
    "Luisa",
    "Yolanda",
    "Gabriela",
    "Daniela",
    "Andrea",
    "Carolina",
    "Patricia",
    "Adriana",
    "Alejandra",
    "Mariana",
    "Valentina",
    "Isabel",
    "Teresa",
    "Josefina",
    "Elena",
    "Laura",
    "Sofía",
    "Camila",
    "Paola",
    "Yelitza",
    "Yusmary",
    "Yenifer",
    "Yuleisi",
    "Dayana",
    "Karina",
    "Johana",
    "Marisol",
    "Milagros",
    "Rosario",
    "Dolores",
    "Guadalupe",
    "Mercedes",
    "Concepción",
    "Pilar",
    "Beatriz",
    "Victoria",
    "Natalia",
    "Verónica",
    "Mónica",
    "Cecilia",
    "Graciela",
    "Consuelo",
    "Socorro",
    "Magdalena",
    "Lucía",
    "Fernanda",
    "Catalina",
    "Estefanía",
    "Susana",
    "Trinidad",
    "Refugio",
    "Ángela",
    "Gloria",
    "Nelly",
    "Zulay",
    "Yajaira",
    "Omaira",
    "Nancy",
    "Ninoska",
    "Xiomara",
    "Ximena",
    "Jimena",
    "Beatriz",
    "Norma",
    "Liliana",
    "Sandra",
    "Claudia",
    "Diana",
    "Paula",
    "Julia",
    "Inés",
    "Raquel",
    "Sara",
    "Eva",
    "Noemí",
    "Antonia",
    "Josefa",
];
const HAITI_MALE: &[&str] = &[
    "Jean",
    "Pierre",
    "Jacques",
    "Joseph",
    "Jean Robert",
    "Jean Claude",
    "Jean Baptiste",
    "Wilner",
    "Evens",
    "Kervens",
    "Peterson",
    "Mackenson",
    "Jameson",
    "Stanley",
    "Roodly",
    "Djimy",
    "Frantz",
    "Ronald",
    "Emmanuel",
    "Jean Marc",
    "Jean Louis",
    "Wilson",
    "Lesly",
    "Fritz",
    "Gérald",
    "Réginald",
    "Jonas",
    "Samuel",
    "Daniel",
    "Ricardo",
    "Fabrice",
    "Lovens",
    "Woodly",
    "Schneider",
    "Jackson",
];
const HAITI_FEMALE: &[&str] = &[
    "Marie",
    "Marie Carmel",
    "Marie Lourdes",
    "Marie Ange",
    "Nadège",
    "Fabienne",
    "Roseline",
    "Guerline",
    "Widline",
    "Jocelyne",
    "Wisline",
    "Mirlande",
    "Nathalie",
    "Rose Marie",
    "Esther",
    "Judith",
    "Lovely",
    "Darline",
    "Stéphanie",
    "Sandra",
    "Islande",
    "Magalie",
    "Yolette",
    "Chedeline",
    "Medjine",
    "Loudmia",
    "Bethanie",
    "Naomie",
    "Rebecca",
    "Sophonie",
];
const CHN_SYLLABLES: &[&str] = &[
    "Wei", "Fang", "Xiu", "Ying", "Jing", "Li", "Na", "Min", "Jun", "Hui", "Lei", "Yan", "Ping",
    "Hong", "Mei", "Qiang", "Jie", "Tao", "Ming", "Lin", "Xia", "Yu", "Hua", "Bo", "Chao", "Gang",
    "Hao", "Jian", "Kai", "Lan", "Long", "Ning", "Qing", "Rui", "Shan", "Ting", "Xin", "Yong",
    "Zhen",
];
const CHN_SURNAMES: &[&str] = &[
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang", "Han",
    "Feng", "Deng", "Cao", "Peng",
];
const SPANISH_SURNAMES: &[&str] = &[
    "González",
    "Rodríguez",
    "Pérez",
    "Hernández",
    "García",
    "Martínez",
    "López",
    "Sánchez",
    "Ramírez",
    "Díaz",
    "Torres",
    "Gómez",
    "Rojas",
    "Flores",
    "Morales",
    "Castillo",
    "Jiménez",
    "Moreno",
    "Romero",
    "Herrera",
    "Medina",
    "Gutiérrez",
    "Vargas",
    "Castro",
    "Ruiz",
    "Mendoza",
    "Silva",
    "Chávez",
    "Ortiz",
    "Suárez",
    "Álvarez",
    "Rivera",
    "Ramos",
    "Molina",
    "Delgado",
    "Contreras",
    "Guerrero",
    "Navarro",
    "Peña",
    "Salazar",
    "Acosta",
    "Cabrera",
    "Blanco",
    "Marín",
    "Fernández",
    "Quintero",
    "Parra",
    "Mora",
    "Zambrano",
    "Vásquez",
    "Montilla",
    "Carrillo",
    "Bravo",
    "Sosa",
    "Rivas",
    "Arias",
    "Villegas",
    "Figueroa",
    "Espinoza",
    "Ochoa",
    "Luna",
    "Duarte",
    "Escobar",
    "Cárdenas",
    "Valencia",
    "Orozco",
    "Ospina",
    "Restrepo",
    "Zapata",
    "Ríos",
    "Cortés",
    "Londoño",
    "Franco",
    "Ibarra",
    "Salas",
    "Fuentes",
    "Lara",
    "Campos",
    "Meza",
    "Paredes",
    "Núñez",
    "Guzmán",
    "Barrios",
    "Vega",
    "León",
    "Cruz",
    "De la Cruz",
    "Urbina",
    "Betancourt",
    "Palacios",
    "Sandoval",
    "Montoya",
    "Caicedo",
    "Aguilar",
    "Reyes",
    "Vázquez",
    "Méndez",
    "Ortega",
    "Domínguez",
    "Gil",
    "Rincón",
    "Bolívar",
    "Toro",
    "Briceño",
    "Colmenares",
    "Pacheco",
    "Linares",
    "Uzcátegui",
    "Villalobos",
    "Chirinos",
    "Hidalgo",
    "Lozada",
    "Guillén",
    "Yépez",
    "Quiñones",
    "Llanos",
    "Zerpa",
];
const HAITI_SURNAMES: &[&str] = &[
    "Pierre",
    "Jean-Baptiste",
    "Joseph",
    "Jean",
    "Louis",
    "Charles",
    "Saint-Fleur",
    "Désir",
    "François",
    "Baptiste",
    "Michel",
    "Paul",
    "Étienne",
    "Augustin",
    "Dorvil",
    "Exantus",
    "Alexis",
    "Noël",
    "Dorsainvil",
    "Célestin",
    "Métellus",
    "Thermidor",
    "Laguerre",
    "Petit-Frère",
    "Fils-Aimé",
    "Saint-Louis",
    "Jean-Louis",
    "Jeune",
    "Cadet",
    "Jean-Pierre",
    "Philippe",
    "Simon",
    "Guerrier",
    "Lafortune",
    "Bien-Aimé",
    "Toussaint",
];
const TAIL_START: &[&str] = &[
    "Al", "Bar", "Cal", "Car", "Es", "Gal", "Her", "Lar", "Mal", "Mar", "Mon", "Ol", "Pal", "Ser",
    "Tor", "Val", "Vill", "Zam", "Ber", "Cor", "Ech", "Gar", "Iz", "Man", "Nav", "Ur", "Sal",
    "Bel", "Cas", "Quir",
];
const TAIL_MIDDLE: &[&str] = &["a", "e", "i", "o", "u", "ar", "en", "ol", "ib", "am"];
const TAIL_END: &[&str] = &[
    "ado", "ales", "ano", "arro", "edo", "ero", "eta", "ez", "ido", "illa", "ino", "iz", "ona",
    "ueta", "uri", "aga", "ena", "ón", "ares", "iño",
];
const MUNICIPALITIES: &[&str] = &[
    "Bogotá",
    "Medellín",
    "Cali",
    "Barranquilla",
    "Cúcuta",
    "Bucaramanga",
    "Cartagena",
    "Villa del Rosario",
    "Riohacha",
    "Maicao",
    "Santa Marta",
    "Pereira",
    "Ibagué",
    "Soacha",
    "Bello",
    "Soledad",
    "Valledupar",
    "Pasto",
    "Ipiales",
    "Arauca",
    "Manizales",
    "Montería",
    "Sincelejo",
    "Neiva",
    "Villavicencio",
    "Tunja",
    "Popayán",
    "Armenia",
    "Yopal",
    "Florencia",
    "Quibdó",
    "Leticia",
    "Envigado",
    "Itagüí",
    "Palmira",
    "Buenaventura",
    "Tuluá",
    "Girardot",
    "Zipaquirá",
    "Facatativá",
];

/// Rank-based (Zipf, exponent `s`) cumulative weights for a list.
fn zipf_cdf(n: usize, s: f64) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out = Vec::with_capacity(n);
    for r in 1..=n {
        acc += 1.0 / (r as f64).powf(s);
        out.push(acc);
    }
    out
}

fn pick_zipf<'a, T>(rng: &mut ChaCha20Rng, items: &'a [T], cdf: &[f64]) -> &'a T {
    let x = rng.gen::<f64>() * cdf[cdf.len() - 1];
    let i = cdf.partition_point(|c| *c < x).min(items.len() - 1);
    &items[i]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Culture {
    Spanish,
    Haitian,
    Chinese,
}

#[derive(Clone)]
struct PersonTruth {
    person_id: u64,
    culture: Culture,
    given: Vec<String>,
    surname1: String,
    surname2: String,
    female: bool,
    dob: (i32, u8, u8),
    nationality: &'static str,
    document: (String, String),
    phone: String,
    municipality: &'static str,
}

struct Pools {
    surnames: Vec<String>,
    surname_cdf: Vec<f64>,
    male_cdf: Vec<f64>,
    female_cdf: Vec<f64>,
    haiti_surname_cdf: Vec<f64>,
    haiti_male_cdf: Vec<f64>,
    haiti_female_cdf: Vec<f64>,
    chn_cdf: Vec<f64>,
    muni_cdf: Vec<f64>,
}

fn pools() -> Pools {
    // Common surnames carry about 70% of the mass, the generated long tail the rest.
    let mut surnames: Vec<String> = SPANISH_SURNAMES.iter().map(|s| s.to_string()).collect();
    for a in TAIL_START {
        for b in TAIL_MIDDLE {
            for c in TAIL_END {
                surnames.push(format!("{a}{b}{c}"));
            }
        }
    }
    let mut surname_cdf = zipf_cdf(SPANISH_SURNAMES.len(), 0.9);
    let head_total = surname_cdf[surname_cdf.len() - 1];
    let tail_n = surnames.len() - SPANISH_SURNAMES.len();
    let tail_each = head_total * (0.30 / 0.70) / tail_n as f64;
    let mut acc = head_total;
    for _ in 0..tail_n {
        acc += tail_each;
        surname_cdf.push(acc);
    }
    Pools {
        surnames,
        surname_cdf,
        male_cdf: zipf_cdf(VEN_MALE.len(), 0.8),
        female_cdf: zipf_cdf(VEN_FEMALE.len(), 0.8),
        haiti_surname_cdf: zipf_cdf(HAITI_SURNAMES.len(), 0.8),
        haiti_male_cdf: zipf_cdf(HAITI_MALE.len(), 0.8),
        haiti_female_cdf: zipf_cdf(HAITI_FEMALE.len(), 0.8),
        chn_cdf: zipf_cdf(CHN_SURNAMES.len(), 0.9),
        muni_cdf: zipf_cdf(MUNICIPALITIES.len(), 1.0),
    }
}

struct Gen<'a> {
    rng: ChaCha20Rng,
    pools: &'a Pools,
    next_person: u64,
    next_phone: u64,
    next_doc: u64,
}

impl Gen<'_> {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.gen::<f64>() < p
    }

    fn spanish_surname(&mut self) -> String {
        pick_zipf(&mut self.rng, &self.pools.surnames, &self.pools.surname_cdf).clone()
    }

    fn given(&mut self, culture: Culture, female: bool) -> Vec<String> {
        match culture {
            Culture::Spanish => {
                let list = if female { VEN_FEMALE } else { VEN_MALE };
                let cdf = if female {
                    &self.pools.female_cdf
                } else {
                    &self.pools.male_cdf
                };
                let first = pick_zipf(&mut self.rng, list, cdf).to_string();
                let mut names: Vec<String> = first.split(' ').map(str::to_owned).collect();
                if names.len() == 1 && self.chance(0.6) {
                    loop {
                        let second = pick_zipf(&mut self.rng, list, cdf).to_string();
                        if second != first && !second.contains(' ') {
                            names.push(second);
                            break;
                        }
                    }
                }
                names
            }
            Culture::Haitian => {
                let list = if female { HAITI_FEMALE } else { HAITI_MALE };
                let cdf = if female {
                    &self.pools.haiti_female_cdf
                } else {
                    &self.pools.haiti_male_cdf
                };
                pick_zipf(&mut self.rng, list, cdf)
                    .split(' ')
                    .map(str::to_owned)
                    .collect()
            }
            Culture::Chinese => {
                let n = if self.chance(0.7) { 2 } else { 1 };
                let mut s = String::new();
                for i in 0..n {
                    let syl = CHN_SYLLABLES[self.rng.gen_range(0..CHN_SYLLABLES.len())];
                    if i == 0 {
                        s.push_str(syl);
                    } else {
                        s.push_str(&syl.to_lowercase());
                    }
                }
                vec![s]
            }
        }
    }

    fn phone(&mut self) -> String {
        self.next_phone += 1;
        // Colombian mobile numbers: 3xx followed by seven digits, spread by a multiplier.
        let n = self.next_phone.wrapping_mul(2_654_435_761) % 1_000_000_000;
        format!("3{:09}", n)
    }

    fn document(&mut self, adult: bool) -> (String, String) {
        self.next_doc += 1;
        let spread = self.next_doc.wrapping_mul(40_503) % 90_000_000 + 5_000_000;
        if adult {
            if self.chance(0.75) {
                ("cedula".into(), format!("V{spread}"))
            } else {
                (
                    "passport".into(),
                    format!("{:09}", spread * 7 % 1_000_000_000),
                )
            }
        } else {
            ("birth_certificate".into(), format!("PN{spread}"))
        }
    }

    fn dob(&mut self, year_from: i32, year_to: i32) -> (i32, u8, u8) {
        let year = self.rng.gen_range(year_from..=year_to.max(year_from));
        let month = self.rng.gen_range(1..=12u8);
        let day = self
            .rng
            .gen_range(1..=crate::date::days_in_month(year, month));
        (year, month, day)
    }

    fn household(&mut self, household_size: usize) -> Vec<PersonTruth> {
        let r = self.rng.gen::<f64>();
        let (culture, nationality) = if r < 0.70 {
            (Culture::Spanish, "VEN")
        } else if r < 0.78 {
            (Culture::Spanish, "COL")
        } else if r < 0.90 {
            (Culture::Haitian, "HTI")
        } else if r < 0.93 {
            (Culture::Chinese, "CHN")
        } else {
            (
                Culture::Spanish,
                ["ECU", "CUB", "NIC", "PER"][self.rng.gen_range(0..4)],
            )
        };
        let municipality = *pick_zipf(&mut self.rng, MUNICIPALITIES, &self.pools.muni_cdf);
        let family_phone = self.phone();
        let mut members = Vec::new();
        let surname = |g: &mut Gen| -> String {
            match culture {
                Culture::Spanish => g.spanish_surname(),
                Culture::Haitian => {
                    pick_zipf(&mut g.rng, HAITI_SURNAMES, &g.pools.haiti_surname_cdf).to_string()
                }
                Culture::Chinese => {
                    pick_zipf(&mut g.rng, CHN_SURNAMES, &g.pools.chn_cdf).to_string()
                }
            }
        };
        let two_surnames = culture == Culture::Spanish;
        // Head (father or mother), spouse, children, sometimes a grandparent.
        let father_s1 = surname(self);
        let father_s2 = if two_surnames {
            surname(self)
        } else {
            String::new()
        };
        let mother_s1 = surname(self);
        let mother_s2 = if two_surnames {
            surname(self)
        } else {
            String::new()
        };
        let parent_year = self.rng.gen_range(1955..=2003);
        let has_spouse = household_size >= 2 && self.chance(0.8);
        let single_mother = !has_spouse && self.chance(0.6);
        let father_given = self.given(culture, false);
        let mut push = |g: &mut Gen,
                        given: Vec<String>,
                        s1: String,
                        s2: String,
                        female: bool,
                        dob: (i32, u8, u8),
                        shared_phone: bool| {
            g.next_person += 1;
            let adult = dob.0 <= 2005;
            let phone = if shared_phone && g.chance(0.75) {
                family_phone.clone()
            } else if g.chance(0.7) {
                g.phone()
            } else {
                String::new()
            };
            let document = if g.chance(if adult { 0.85 } else { 0.45 }) {
                g.document(adult)
            } else {
                (String::new(), String::new())
            };
            members.push(PersonTruth {
                person_id: g.next_person,
                culture,
                given,
                surname1: s1,
                surname2: s2,
                female,
                dob,
                nationality,
                document,
                phone,
                municipality,
            });
        };
        if !single_mother {
            let dob = self.dob(parent_year - 3, parent_year + 2);
            push(
                self,
                father_given.clone(),
                father_s1.clone(),
                father_s2.clone(),
                false,
                dob,
                true,
            );
        }
        if has_spouse || single_mother {
            let given = self.given(culture, true);
            let dob = self.dob(parent_year - 2, parent_year + 5);
            push(
                self,
                given,
                mother_s1.clone(),
                mother_s2.clone(),
                true,
                dob,
                true,
            );
        }
        let adults = usize::from(!single_mother) + usize::from(has_spouse || single_mother);
        let children = household_size.saturating_sub(adults);
        let (child_s1, child_s2) = if single_mother {
            (mother_s1.clone(), mother_s2.clone())
        } else if two_surnames {
            (father_s1.clone(), mother_s1.clone())
        } else {
            (father_s1.clone(), String::new())
        };
        let mut used_given: Vec<Vec<String>> = Vec::new();
        let mut c = 0;
        while c < children {
            let female = self.chance(0.5);
            let first_year = (parent_year + 18).min(2023);
            let dob = self.dob(first_year, (parent_year + 45).min(2023));
            let twins = c + 1 < children && self.chance(0.04);
            for t in 0..(if twins { 2 } else { 1 }) {
                let female = if t == 1 { self.chance(0.5) } else { female };
                let mut given = self.given(culture, female);
                // Junior: a son named after his father.
                if !female
                    && t == 0
                    && !single_mother
                    && culture != Culture::Chinese
                    && self.chance(0.05)
                {
                    given = father_given.clone();
                }
                // Siblings often share a first given name (María Fernanda, María José).
                if culture == Culture::Spanish && self.chance(0.3) {
                    if let Some(prev) = used_given.iter().find(|g| g.len() > 1 && self.chance(0.5))
                    {
                        let prev_first = prev[0].clone();
                        if given.len() > 1 {
                            given[0] = prev_first;
                        }
                    }
                }
                if used_given.contains(&given) {
                    given = self.given(culture, female);
                }
                used_given.push(given.clone());
                push(
                    self,
                    given,
                    child_s1.clone(),
                    child_s2.clone(),
                    female,
                    dob,
                    true,
                );
            }
            c += if twins { 2 } else { 1 };
        }
        members
    }
}

fn household_size(rng: &mut ChaCha20Rng) -> usize {
    // Mean about 3: registries of Venezuelan migrants in Colombia report households of 3 to 4.
    let r: f64 = rng.gen();
    match r {
        x if x < 0.22 => 1,
        x if x < 0.42 => 2,
        x if x < 0.62 => 3,
        x if x < 0.80 => 4,
        x if x < 0.91 => 5,
        x if x < 0.97 => 6,
        _ => 7,
    }
}

fn strip_accents(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'á' => 'a',
            'é' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            'Á' => 'A',
            'É' => 'E',
            'Í' => 'I',
            'Ó' => 'O',
            'Ú' => 'U',
            'Ñ' => 'N',
            'è' => 'e',
            'ë' => 'e',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

fn typo(rng: &mut ChaCha20Rng, s: &str) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    if chars.len() < 3 {
        return s.to_owned();
    }
    let i = rng.gen_range(1..chars.len());
    let letters = "abcdefghijlmnoprstuvyz";
    let random_letter = letters
        .chars()
        .nth(rng.gen_range(0..letters.len()))
        .unwrap_or('a');
    match rng.gen_range(0..4) {
        0 => {
            chars[i] = random_letter;
        }
        1 => {
            chars.remove(i);
        }
        2 => chars.insert(i, random_letter),
        _ => {
            if i + 1 < chars.len() {
                chars.swap(i, i + 1);
            } else {
                chars.swap(i - 1, i);
            }
        }
    }
    chars.into_iter().collect()
}

fn phonetic_respelling(rng: &mut ChaCha20Rng, s: &str) -> String {
    let rules: &[(&str, &str)] = &[
        ("z", "s"),
        ("s", "z"),
        ("v", "b"),
        ("b", "v"),
        ("ll", "y"),
        ("y", "ll"),
        ("ce", "se"),
        ("ci", "si"),
        ("gi", "ji"),
        ("ge", "je"),
        ("qu", "k"),
        ("H", ""),
        ("x", "j"),
    ];
    let applicable: Vec<&(&str, &str)> =
        rules.iter().filter(|(from, _)| s.contains(from)).collect();
    match applicable.choose(rng) {
        Some((from, to)) => {
            let out = s.replacen(from, to, 1);
            let mut c = out.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        }
        None => s.to_owned(),
    }
}

fn nickname_of(first: &str) -> Option<&'static str> {
    // Reverse look-up in the bundled table: a nickname whose canonical name is `first`.
    static REVERSE: std::sync::OnceLock<Vec<(String, &'static str)>> = std::sync::OnceLock::new();
    let table = REVERSE.get_or_init(|| {
        include_str!("../data/nicknames.csv")
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(nick, name)| (crate::text::fold(name), nick))
            .collect()
    });
    let key = crate::text::fold(first);
    let hits: Vec<&'static str> = table
        .iter()
        .filter(|(n, _)| *n == key)
        .map(|(_, nick)| *nick)
        .collect();
    hits.first().copied()
}

fn record_from(
    p: &PersonTruth,
    record_id: String,
    household_id: String,
    registration: (i32, u8, u8),
) -> LinkRecord {
    let (g1, g2) = match p.given.len() {
        0 => (String::new(), String::new()),
        1 => (p.given[0].clone(), String::new()),
        _ => {
            if p.culture == Culture::Haitian {
                (p.given.join(" "), String::new())
            } else {
                (p.given[0].clone(), p.given[1..].join(" "))
            }
        }
    };
    LinkRecord {
        record_id,
        given_name: g1,
        second_given_name: g2,
        first_surname: p.surname1.clone(),
        second_surname: p.surname2.clone(),
        sex: if p.female { "F".into() } else { "M".into() },
        date_of_birth: format!("{:04}-{:02}-{:02}", p.dob.0, p.dob.1, p.dob.2),
        nationality: p.nationality.to_owned(),
        document_type: p.document.0.clone(),
        document_number: p.document.1.clone(),
        phone: p.phone.clone(),
        municipality: p.municipality.to_owned(),
        registration_date: format!(
            "{:04}-{:02}-{:02}",
            registration.0, registration.1, registration.2
        ),
        household_id,
        ..LinkRecord::default()
    }
}

fn corrupt(g: &mut Gen, r: &mut LinkRecord, p: &PersonTruth, c: &Corruption) {
    // Given names.
    if c.nickname > 0.0 && g.chance(c.nickname) {
        if let Some(nick) = p.given.first().and_then(|f| nickname_of(f)) {
            r.given_name = nick.to_owned();
        }
    }
    if !r.second_given_name.is_empty() && g.chance(c.drop_second_given) {
        r.second_given_name.clear();
    } else if !r.second_given_name.is_empty() && g.chance(c.second_given_only) {
        r.given_name = std::mem::take(&mut r.second_given_name);
    }
    if p.culture == Culture::Haitian && r.given_name.contains(' ') && g.chance(0.3) {
        // "Marie Carmel" registered as "Marie-Carmel" or "Marie" + "Carmel".
        if g.chance(0.5) {
            r.given_name = r.given_name.replace(' ', "-");
        } else if let Some((a, b)) = r.given_name.clone().split_once(' ') {
            r.given_name = a.to_owned();
            r.second_given_name = b.to_owned();
        }
    }
    if p.culture == Culture::Chinese && g.chance(0.3) {
        // Pinyin spacing: "Xiuying" / "Xiu Ying".
        r.given_name = split_pinyin(&r.given_name);
    }
    if g.chance(c.given_typo) {
        r.given_name = typo(&mut g.rng, &r.given_name);
    }
    // Surnames.
    if g.chance(c.surname_typo) {
        if !r.second_surname.is_empty() && g.chance(0.4) {
            r.second_surname = typo(&mut g.rng, &r.second_surname);
        } else {
            r.first_surname = typo(&mut g.rng, &r.first_surname);
        }
    }
    if g.chance(c.surname_phonetic) {
        if !r.second_surname.is_empty() && g.chance(0.4) {
            r.second_surname = phonetic_respelling(&mut g.rng, &r.second_surname);
        } else {
            r.first_surname = phonetic_respelling(&mut g.rng, &r.first_surname);
        }
    }
    if !r.second_surname.is_empty() && g.chance(c.surname_swap) {
        std::mem::swap(&mut r.first_surname, &mut r.second_surname);
    } else if !r.second_surname.is_empty() && g.chance(c.drop_second_surname) {
        r.second_surname.clear();
    }
    if g.chance(c.name_field_swap) {
        // The given-name fields and the surname fields typed into each other's boxes.
        std::mem::swap(&mut r.given_name, &mut r.first_surname);
        std::mem::swap(&mut r.second_given_name, &mut r.second_surname);
    }
    if g.chance(c.drop_accents) {
        for f in [
            &mut r.given_name,
            &mut r.second_given_name,
            &mut r.first_surname,
            &mut r.second_surname,
        ] {
            *f = strip_accents(f);
        }
    }
    // Date of birth.
    let (y, m, d) = p.dob;
    if g.chance(c.dob_missing) {
        r.date_of_birth.clear();
    } else if g.chance(c.dob_partial) {
        r.date_of_birth = if g.chance(0.6) {
            format!("{y:04}")
        } else {
            format!("{y:04}-{m:02}")
        };
    } else if d <= 12 && d != m && g.chance(c.dob_swap_day_month) {
        r.date_of_birth = format!("{y:04}-{d:02}-{m:02}");
    } else if g.chance(c.dob_digit) {
        // One wrong digit that still gives a real date.
        for _ in 0..10 {
            let mut digits: Vec<u8> = format!("{y:04}{m:02}{d:02}").into_bytes();
            let pos = [2usize, 3, 5, 6, 7][g.rng.gen_range(0..5)];
            digits[pos] = b'0' + g.rng.gen_range(0..10u8);
            let text = String::from_utf8(digits).unwrap_or_default();
            if let Ok(date) = crate::date::PartialDate::parse(&text) {
                if date.year <= 2023 && text != format!("{y:04}{m:02}{d:02}") {
                    r.date_of_birth = date.to_string();
                    break;
                }
            }
        }
    }
    // Contact and documents.
    if g.chance(c.no_phone) {
        r.phone.clear();
    } else if g.chance(c.new_phone) {
        r.phone = g.phone();
    }
    if g.chance(c.no_document) {
        r.document_type.clear();
        r.document_number.clear();
    } else if g.chance(c.other_document) {
        let adult = p.dob.0 <= 2005;
        let (t, n) = g.document(adult);
        r.document_type = t;
        r.document_number = n;
    } else if !r.document_number.is_empty() && g.chance(c.document_typo) {
        let mut chars: Vec<char> = r.document_number.chars().collect();
        let i = g.rng.gen_range(chars.len() / 2..chars.len());
        chars[i] = char::from(b'0' + g.rng.gen_range(0..10u8));
        r.document_number = chars.into_iter().collect();
    }
    if g.chance(c.moved) {
        r.municipality = pick_zipf(&mut g.rng, MUNICIPALITIES, &g.pools.muni_cdf).to_string();
    }
    if g.chance(c.sex_missing) {
        r.sex.clear();
    }
    if g.chance(c.nationality_missing) {
        r.nationality.clear();
    }
}

fn split_pinyin(s: &str) -> String {
    // Split "Xiuying" before the second syllable's initial consonant when the name joins two.
    let lower = s.to_lowercase();
    for syl in CHN_SYLLABLES {
        let l = syl.to_lowercase();
        if lower.len() > l.len() && lower.starts_with(&l) {
            let rest = &s[l.len()..];
            if CHN_SYLLABLES
                .iter()
                .any(|x| x.to_lowercase() == rest.to_lowercase())
            {
                let mut c = rest.chars();
                let rest_cap = c
                    .next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default();
                return format!("{} {}", &s[..l.len()], rest_cap);
            }
        }
    }
    s.to_owned()
}

fn registration_day(rng: &mut ChaCha20Rng, after_days: i64) -> (i32, u8, u8) {
    // ETPV pre-registration opened 2021-05-05; the synthetic registry runs to 2023-12-31.
    let start = crate::date::days_from_civil(2021, 5, 5) + after_days;
    let end = crate::date::days_from_civil(2023, 12, 31);
    let day = if start >= end {
        end
    } else {
        rng.gen_range(start..=end)
    };
    crate::date::civil_from_days(day)
}

/// (registration date, sequence, record, person id): sorted into registration order.
type Row = ((i32, u8, u8), u64, LinkRecord, u64);

/// Generate a registry of `people` persons, of whom a share `dup_rate` register more than
/// once, with the default corruption rates.
pub fn synth(people: usize, dup_rate: f64, seed: u64) -> SynthRegistry {
    synth_with(people, dup_rate, seed, &Corruption::default())
}

/// Generate a registry with given corruption rates.
pub fn synth_with(
    people: usize,
    dup_rate: f64,
    seed: u64,
    corruption: &Corruption,
) -> SynthRegistry {
    let pools = pools();
    let mut g = Gen {
        rng: ChaCha20Rng::seed_from_u64(seed),
        pools: &pools,
        next_person: 0,
        next_phone: seed.wrapping_mul(7_919) % 1_000_000,
        next_doc: seed.wrapping_mul(104_729) % 1_000_000,
    };
    let dup_rate = dup_rate.clamp(0.0, 1.0);
    let mut households: Vec<Vec<PersonTruth>> = Vec::new();
    let mut count = 0;
    while count < people {
        let size = household_size(&mut g.rng).min(people - count);
        let h = g.household(size);
        count += h.len();
        households.push(h);
    }
    // (registration day number, record) for sorting into registration order.
    let mut rows: Vec<Row> = Vec::new();
    let mut next_household = 0u64;
    let mut seq = 0u64;
    for h in &households {
        next_household += 1;
        let reg = registration_day(&mut g.rng, 0);
        for p in h {
            seq += 1;
            rows.push((
                reg,
                seq,
                record_from(p, String::new(), format!("H{next_household}"), reg),
                p.person_id,
            ));
        }
        // Duplicates: a whole-household re-registration, or individuals.
        let whole = h.len() > 1 && g.chance(dup_rate * 0.5);
        let dup_members: Vec<&PersonTruth> = if whole {
            h.iter().collect()
        } else {
            let p_individual = if h.len() > 1 {
                dup_rate * 0.5 / (1.0 - dup_rate * 0.5)
            } else {
                dup_rate
            };
            h.iter().filter(|_| g.chance(p_individual)).collect()
        };
        if dup_members.is_empty() {
            continue;
        }
        let extra = match g.rng.gen::<f64>() {
            x if x < 0.82 => 1,
            x if x < 0.96 => 2,
            _ => 3,
        };
        for _ in 0..extra {
            let reg2 = registration_day(
                &mut g.rng,
                crate::date::days_from_civil(reg.0, reg.1, reg.2)
                    - crate::date::days_from_civil(2021, 5, 5)
                    + 1,
            );
            let shared_household = if whole {
                next_household += 1;
                Some(format!("H{next_household}"))
            } else {
                None
            };
            for p in &dup_members {
                let household_id = match &shared_household {
                    Some(h) => h.clone(),
                    None => {
                        next_household += 1;
                        format!("H{next_household}")
                    }
                };
                let mut r = record_from(p, String::new(), household_id, reg2);
                corrupt(&mut g, &mut r, p, corruption);
                seq += 1;
                rows.push((reg2, seq, r, p.person_id));
            }
        }
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let width = rows.len().to_string().len().max(7);
    let mut records = Vec::with_capacity(rows.len());
    let mut truth = Vec::with_capacity(rows.len());
    for (i, (_, _, mut r, person)) in rows.into_iter().enumerate() {
        r.record_id = format!("R{:0width$}", i + 1, width = width);
        truth.push(ClusterAssignment {
            record_id: r.record_id.clone(),
            cluster_id: format!("P{person}"),
        });
        records.push(r);
    }
    SynthRegistry { records, truth }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_registry_and_rates_hold() {
        let a = synth(3_000, 0.1, 7);
        let b = synth(3_000, 0.1, 7);
        assert_eq!(a, b);
        let c = synth(3_000, 0.1, 8);
        assert_ne!(a.records[0], c.records[0]);
        let persons: std::collections::HashMap<&str, usize> =
            a.truth.iter().fold(Default::default(), |mut m, t| {
                *m.entry(t.cluster_id.as_str()).or_default() += 1;
                m
            });
        assert!(
            persons.len() >= 3_000 && persons.len() <= 3_010,
            "{}",
            persons.len()
        );
        let duplicated = persons.values().filter(|&&n| n > 1).count() as f64 / persons.len() as f64;
        assert!((0.07..0.13).contains(&duplicated), "{duplicated}");
        // Every date written is a real date or empty; households repeat surnames.
        for r in &a.records {
            assert!(
                r.date_of_birth.is_empty()
                    || crate::date::PartialDate::parse(&r.date_of_birth).is_ok(),
                "{}",
                r.date_of_birth
            );
        }
        let garcia = a
            .records
            .iter()
            .filter(|r| r.first_surname == "González")
            .count();
        assert!(garcia > 30, "{garcia}");
    }

    #[test]
    fn corruptions_change_text() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        assert_ne!(typo(&mut rng, "Rodríguez"), "Rodríguez");
        assert_eq!(strip_accents("Núñez Pérez"), "Nunez Perez");
        assert_eq!(split_pinyin("Xiuying"), "Xiu Ying");
        assert_eq!(nickname_of("Francisco"), Some("Pancho"));
    }
}
