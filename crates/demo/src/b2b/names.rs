//! Personal names for the B2B contact generator: larger name pools per naming culture than
//! the demo world needs (so that namesakes recur the way they do in a real contact base of
//! 100,000 people, "John Smith" and "Wei Zhang" at many companies but most names rare), the
//! short forms people go by (Robert / Bob), and the other spellings a name takes when it is
//! transliterated or typed on a keyboard without its letters (Müller / Mueller, Aleksandr /
//! Alexander, Nguyễn / Nguyen).
//!
//! The pools start from the demo catalog's lists, which come first and are the most common,
//! and add the names below. The nickname and spelling tables were written for this crate
//! from common knowledge of the naming cultures; they are deliberately modest, and only name
//! pairs that a person reading a CRM would recognise as the same name.

use std::collections::HashMap;

use crate::catalog::{self, Culture};
use crate::rng::Rng;
use crate::text;

/// A naming culture of the B2B pools: the demo catalog's cultures plus East Slavic names,
/// which the demo world does not have but a European contact base does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Heritage {
    Anglo,
    Hispanic,
    German,
    French,
    Dutch,
    Swedish,
    Danish,
    Irish,
    Indian,
    Chinese,
    Japanese,
    Korean,
    Vietnamese,
    WestAfrican,
    Arabic,
    Turkish,
    Polish,
    Italian,
    Brazilian,
    EastSlavic,
}

const ALL: [Heritage; 20] = [
    Heritage::Anglo,
    Heritage::Hispanic,
    Heritage::German,
    Heritage::French,
    Heritage::Dutch,
    Heritage::Swedish,
    Heritage::Danish,
    Heritage::Irish,
    Heritage::Indian,
    Heritage::Chinese,
    Heritage::Japanese,
    Heritage::Korean,
    Heritage::Vietnamese,
    Heritage::WestAfrican,
    Heritage::Arabic,
    Heritage::Turkish,
    Heritage::Polish,
    Heritage::Italian,
    Heritage::Brazilian,
    Heritage::EastSlavic,
];

/// Where people whose family came from elsewhere come from, whatever the country they work
/// in: the share of such people is set by the caller.
pub(crate) const DIASPORA: &[(Heritage, u32)] = &[
    (Heritage::Indian, 24),
    (Heritage::Chinese, 14),
    (Heritage::EastSlavic, 14),
    (Heritage::Arabic, 10),
    (Heritage::Hispanic, 9),
    (Heritage::Vietnamese, 5),
    (Heritage::Korean, 4),
    (Heritage::WestAfrican, 6),
    (Heritage::Polish, 5),
    (Heritage::Turkish, 5),
    (Heritage::Irish, 4),
];

impl Heritage {
    /// The B2B heritage of one of the demo catalog's cultures.
    pub(crate) fn of(culture: &Culture) -> Heritage {
        ALL.into_iter()
            .find(|h| h.catalog().is_some_and(|c| std::ptr::eq(c, culture)))
            .unwrap_or(Heritage::Anglo)
    }

    fn catalog(self) -> Option<&'static Culture> {
        Some(match self {
            Heritage::Anglo => &catalog::ANGLO,
            Heritage::Hispanic => &catalog::HISPANIC,
            Heritage::German => &catalog::GERMAN,
            Heritage::French => &catalog::FRENCH,
            Heritage::Dutch => &catalog::DUTCH,
            Heritage::Swedish => &catalog::SWEDISH,
            Heritage::Danish => &catalog::DANISH,
            Heritage::Irish => &catalog::IRISH,
            Heritage::Indian => &catalog::INDIAN,
            Heritage::Chinese => &catalog::CHINESE,
            Heritage::Japanese => &catalog::JAPANESE,
            Heritage::Korean => &catalog::KOREAN,
            Heritage::Vietnamese => &catalog::VIETNAMESE,
            Heritage::WestAfrican => &catalog::WEST_AFRICAN,
            Heritage::Arabic => &catalog::ARABIC,
            Heritage::Turkish => &catalog::TURKISH,
            Heritage::Polish => &catalog::POLISH,
            Heritage::Italian => &catalog::ITALIAN,
            Heritage::Brazilian => &catalog::BRAZILIAN,
            Heritage::EastSlavic => return None,
        })
    }

    /// Cultures that write the family name first when they write the whole name.
    pub(crate) fn family_name_first(self) -> bool {
        matches!(
            self,
            Heritage::Chinese | Heritage::Japanese | Heritage::Korean | Heritage::Vietnamese
        )
    }

    /// Umlauts become two letters in this culture's e-mail addresses (Müller → mueller).
    pub(crate) fn german(self) -> bool {
        self == Heritage::German
    }
}

/// The first and last names of one culture: the catalog's first, then the additions.
struct Pool {
    first: Vec<&'static str>,
    last: Vec<&'static str>,
}

/// The name pools, the nickname table and the spelling table, built once per file.
pub(crate) struct Names {
    pools: Vec<Pool>,
    nicknames: HashMap<&'static str, &'static [&'static str]>,
    spellings: HashMap<&'static str, &'static [&'static str]>,
}

impl Names {
    pub(crate) fn new() -> Names {
        let pools = ALL
            .iter()
            .map(|&h| {
                let (first_extra, last_extra) = extra(h);
                let mut first: Vec<&'static str> =
                    h.catalog().map_or(&[][..], |c| c.first).to_vec();
                let mut last: Vec<&'static str> = h.catalog().map_or(&[][..], |c| c.last).to_vec();
                for name in first_extra {
                    if !first.contains(name) {
                        first.push(name);
                    }
                }
                for name in last_extra {
                    if !last.contains(name) {
                        last.push(name);
                    }
                }
                Pool { first, last }
            })
            .collect();
        let mut spellings = HashMap::new();
        for group in SPELLINGS {
            for name in *group {
                spellings.insert(*name, *group);
            }
        }
        Names {
            pools,
            nicknames: NICKNAMES.iter().copied().collect(),
            spellings,
        }
    }

    /// A first and last name of the culture. Names early in a list are more common; many
    /// names are made from parts the way the culture makes them (Ash + worth, Ade + yemi,
    /// two surnames in Spanish), so that common names recur and most names are rare, about
    /// as in a real contact base of 100,000 people.
    pub(crate) fn draw(&self, rng: &mut Rng, heritage: Heritage) -> (String, String) {
        let pool = &self.pools[heritage as usize];
        let shape = shape(heritage);
        let first = compose(rng, &pool.first, &shape.first);
        let last = compose(rng, &pool.last, &shape.last);
        (first, last)
    }

    /// The short forms a first name has, or none.
    pub(crate) fn nicknames(&self, first: &str) -> &'static [&'static str] {
        self.nicknames.get(first).copied().unwrap_or(&[])
    }

    /// The name as another transliteration or keyboard writes it, if it has such a form:
    /// another member of its spelling group (for names written in Latin letters only by
    /// transliteration, so that a German Julia does not become Yulia), umlauts written out
    /// (Müller → Mueller), or diacritics dropped.
    pub(crate) fn respell(&self, name: &str, heritage: Heritage, rng: &mut Rng) -> Option<String> {
        let transliterated = matches!(
            heritage,
            Heritage::EastSlavic
                | Heritage::Arabic
                | Heritage::Indian
                | Heritage::Korean
                | Heritage::Vietnamese
                | Heritage::Irish
        );
        if let Some(group) = self.spellings.get(name).filter(|_| transliterated) {
            let others: Vec<&str> = group.iter().copied().filter(|n| *n != name).collect();
            return Some(rng.pick(&others).to_string());
        }
        let expanded = expand_letters(name);
        if expanded != name {
            return Some(expanded);
        }
        let folded = text::ascii_fold(name, false);
        (folded != name).then_some(folded)
    }
}

fn skewed(rng: &mut Rng, names: &[&'static str]) -> &'static str {
    if rng.chance(0.2) {
        names[rng.index(names.len().div_ceil(4))]
    } else {
        names[rng.index(names.len())]
    }
}

/// How a culture forms names beyond its list.
enum Made {
    /// Only the list.
    Listed,
    /// A head and a tail: "Ash" + "worth", "Min" + "-jun".
    Parts(&'static [&'static str], &'static [&'static str]),
    /// Two names of the list: "García López".
    Double,
}

/// The share of names that are made, and how.
struct Rule {
    share: f64,
    made: Made,
}

struct Shape {
    first: Rule,
    last: Rule,
}

const LISTED: Rule = Rule {
    share: 0.0,
    made: Made::Listed,
};

fn shape(h: Heritage) -> Shape {
    let parts = |share, heads, tails| Rule {
        share,
        made: Made::Parts(heads, tails),
    };
    let double = |share| Rule {
        share,
        made: Made::Double,
    };
    match h {
        Heritage::Anglo => Shape {
            first: LISTED,
            last: parts(0.75, ANGLO_HEADS, ANGLO_TAILS),
        },
        Heritage::Irish => Shape {
            first: LISTED,
            last: parts(0.6, IRISH_HEADS, IRISH_TAILS),
        },
        Heritage::German => Shape {
            first: LISTED,
            last: parts(0.8, GERMAN_HEADS, GERMAN_TAILS),
        },
        Heritage::French => Shape {
            first: LISTED,
            last: parts(0.75, FRENCH_HEADS, FRENCH_TAILS),
        },
        Heritage::Dutch => Shape {
            first: LISTED,
            last: parts(0.7, DUTCH_HEADS, DUTCH_TAILS),
        },
        Heritage::Swedish => Shape {
            first: LISTED,
            last: parts(0.7, SWEDISH_HEADS, SWEDISH_TAILS),
        },
        Heritage::Danish => Shape {
            first: LISTED,
            last: parts(0.6, DANISH_HEADS, DANISH_TAILS),
        },
        Heritage::Hispanic | Heritage::Brazilian => Shape {
            first: LISTED,
            last: double(0.8),
        },
        Heritage::Italian => Shape {
            first: LISTED,
            last: parts(0.75, ITALIAN_HEADS, ITALIAN_TAILS),
        },
        Heritage::Polish => Shape {
            first: LISTED,
            last: parts(0.75, POLISH_HEADS, POLISH_TAILS),
        },
        Heritage::EastSlavic => Shape {
            first: LISTED,
            last: parts(0.75, SLAVIC_HEADS, SLAVIC_TAILS),
        },
        Heritage::Turkish => Shape {
            first: LISTED,
            last: parts(0.75, TURKISH_HEADS, TURKISH_TAILS),
        },
        Heritage::Indian => Shape {
            first: parts(0.45, INDIAN_FIRST_HEADS, INDIAN_FIRST_TAILS),
            last: parts(0.75, INDIAN_HEADS, INDIAN_TAILS),
        },
        // Yoruba names are made of parts, given names and surnames alike.
        Heritage::WestAfrican => Shape {
            first: parts(0.4, YORUBA_HEADS, YORUBA_TAILS),
            last: parts(0.75, YORUBA_HEADS, YORUBA_TAILS),
        },
        Heritage::Arabic => Shape {
            first: parts(0.3, ARABIC_FIRST_HEADS, ARABIC_FIRST_TAILS),
            last: parts(0.8, ARABIC_HEADS, ARABIC_TAILS),
        },
        Heritage::Japanese => Shape {
            first: LISTED,
            last: parts(0.7, JAPANESE_HEADS, JAPANESE_TAILS),
        },
        // Chinese, Korean and Vietnamese surnames are few and very common; given names
        // are made of syllables.
        Heritage::Chinese => Shape {
            first: parts(0.75, CHINESE_HEADS, CHINESE_TAILS),
            last: LISTED,
        },
        Heritage::Korean => Shape {
            first: parts(0.8, KOREAN_HEADS, KOREAN_TAILS),
            last: LISTED,
        },
        // Vietnamese given names often carry a middle name ("Thi Lan", "Van Nam").
        Heritage::Vietnamese => Shape {
            first: parts(0.5, VIETNAMESE_MIDDLE, VIETNAMESE_FIRST),
            last: LISTED,
        },
    }
}

fn compose(rng: &mut Rng, list: &[&'static str], rule: &Rule) -> String {
    if !rng.chance(rule.share) {
        return skewed(rng, list).to_string();
    }
    match rule.made {
        Made::Listed => skewed(rng, list).to_string(),
        Made::Parts(heads, tails) => format!("{}{}", rng.pick(heads), rng.pick(tails)),
        Made::Double => {
            let a = skewed(rng, list);
            let b = skewed(rng, list);
            if a == b {
                a.to_string()
            } else {
                format!("{a} {b}")
            }
        }
    }
}

/// Letters written out as two ASCII letters, as German and Scandinavian keyboards and
/// passports do (ü → ue, ø → oe, å → aa, ß → ss); other letters are kept.
fn expand_letters(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        match c {
            'ä' | 'æ' => out.push_str("ae"),
            'ö' | 'ø' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'å' => out.push_str("aa"),
            'ß' => out.push_str("ss"),
            'Ä' | 'Æ' => out.push_str("Ae"),
            'Ö' | 'Ø' => out.push_str("Oe"),
            'Ü' => out.push_str("Ue"),
            'Å' => out.push_str("Aa"),
            c => out.push(c),
        }
    }
    out
}

/// First names and the short forms their bearers go by. A short form that is also a given
/// name in its own right (Jan, Max, Alex) is listed only where it really stands for the
/// formal name.
const NICKNAMES: &[(&str, &[&str])] = &[
    // English
    ("Robert", &["Bob", "Rob", "Bobby", "Robbie"]),
    ("William", &["Bill", "Will", "Billy", "Liam"]),
    ("Elizabeth", &["Liz", "Beth", "Betty", "Lizzie"]),
    ("Katherine", &["Kate", "Katie", "Kathy"]),
    ("Catherine", &["Cathy", "Cat"]),
    ("Alexander", &["Alex", "Sasha", "Xander"]),
    ("Alexandra", &["Alex", "Lexi", "Sasha"]),
    ("Margaret", &["Peggy", "Maggie", "Meg"]),
    ("James", &["Jim", "Jimmy", "Jamie"]),
    ("John", &["Jack", "Johnny"]),
    ("Jonathan", &["Jon", "Jonny"]),
    ("Michael", &["Mike", "Mikey"]),
    ("Christopher", &["Chris", "Topher"]),
    ("Christine", &["Chris", "Chrissy", "Tina"]),
    ("Richard", &["Rick", "Rich", "Dick"]),
    ("Thomas", &["Tom", "Tommy"]),
    ("Daniel", &["Dan", "Danny"]),
    ("Matthew", &["Matt"]),
    ("Andrew", &["Andy", "Drew"]),
    ("Joseph", &["Joe", "Joey"]),
    ("Benjamin", &["Ben", "Benny"]),
    ("Nicholas", &["Nick", "Nicky"]),
    ("Anthony", &["Tony"]),
    ("Edward", &["Ed", "Eddie", "Ted"]),
    ("Samuel", &["Sam", "Sammy"]),
    ("Samantha", &["Sam", "Sammy"]),
    ("Jennifer", &["Jen", "Jenny"]),
    ("Jessica", &["Jess", "Jessie"]),
    ("Rebecca", &["Becky", "Becca"]),
    ("Patricia", &["Pat", "Patty", "Trish"]),
    ("Victoria", &["Vicky", "Tori"]),
    ("Abigail", &["Abby"]),
    ("Stephanie", &["Steph"]),
    ("Deborah", &["Deb", "Debbie"]),
    ("Susan", &["Sue", "Susie"]),
    ("Steven", &["Steve"]),
    ("Stephen", &["Steve"]),
    ("Timothy", &["Tim", "Timmy"]),
    ("Charles", &["Charlie", "Chuck"]),
    ("Gregory", &["Greg"]),
    ("Kenneth", &["Ken", "Kenny"]),
    ("Ronald", &["Ron", "Ronnie"]),
    ("Donald", &["Don", "Donnie"]),
    ("Lawrence", &["Larry"]),
    ("Raymond", &["Ray"]),
    ("Douglas", &["Doug"]),
    ("Zachary", &["Zach", "Zack"]),
    ("Nathan", &["Nate"]),
    ("Joshua", &["Josh"]),
    ("Amanda", &["Mandy"]),
    ("Theodore", &["Ted", "Teddy", "Theo"]),
    ("Frederick", &["Fred", "Freddie"]),
    ("Peter", &["Pete"]),
    ("Phillip", &["Phil"]),
    ("Jacob", &["Jake"]),
    ("Kimberly", &["Kim"]),
    ("Pamela", &["Pam"]),
    ("Cynthia", &["Cindy"]),
    ("Eleanor", &["Ellie", "Nora"]),
    ("Gabriel", &["Gabe"]),
    ("David", &["Dave"]),
    ("Jeffrey", &["Jeff"]),
    ("Gerald", &["Gerry", "Jerry"]),
    ("Patrick", &["Pat", "Paddy"]),
    ("Dorothy", &["Dot", "Dottie"]),
    ("Barbara", &["Barb", "Babs"]),
    ("Madison", &["Maddie"]),
    ("Christian", &["Chris"]),
    // German
    ("Johannes", &["Hans", "Jo", "Hannes"]),
    ("Wolfgang", &["Wolf"]),
    ("Friedrich", &["Fritz"]),
    ("Maximilian", &["Max"]),
    ("Andreas", &["Andi"]),
    ("Elisabeth", &["Lisa", "Sissi", "Elli"]),
    ("Katharina", &["Kathi", "Kati"]),
    ("Gabriele", &["Gabi"]),
    ("Susanne", &["Susi"]),
    ("Florian", &["Flo"]),
    ("Sebastian", &["Basti"]),
    ("Margarete", &["Grete"]),
    ("Wilhelm", &["Willi"]),
    ("Franziska", &["Franzi"]),
    ("Tobias", &["Tobi"]),
    ("Ulrich", &["Uli"]),
    ("Ursula", &["Uschi"]),
    ("Manfred", &["Manni"]),
    ("Monika", &["Moni"]),
    ("Matthias", &["Matze"]),
    // Spanish
    ("Francisco", &["Paco", "Pancho", "Curro"]),
    ("José", &["Pepe"]),
    ("Ignacio", &["Nacho"]),
    ("Guillermo", &["Memo", "Guille"]),
    ("Jesús", &["Chucho", "Chuy"]),
    ("Enrique", &["Quique"]),
    ("Manuel", &["Manolo"]),
    ("Dolores", &["Lola"]),
    ("Concepción", &["Concha"]),
    ("Guadalupe", &["Lupe"]),
    ("Rosario", &["Charo"]),
    ("Eduardo", &["Lalo"]),
    ("Roberto", &["Beto"]),
    ("Alberto", &["Beto"]),
    ("Alejandro", &["Álex", "Alejo"]),
    ("Santiago", &["Santi"]),
    // Italian
    ("Giuseppe", &["Beppe", "Peppe", "Pino"]),
    ("Alessandro", &["Sandro", "Ale"]),
    ("Lorenzo", &["Enzo"]),
    ("Giovanni", &["Gianni", "Nanni"]),
    ("Francesco", &["Franco", "Cecco"]),
    ("Federica", &["Fede"]),
    // Portuguese
    ("Antônio", &["Toninho", "Tonho"]),
    ("Guilherme", &["Gui"]),
    ("Rafael", &["Rafa"]),
    ("Fernanda", &["Nanda"]),
    ("Beatriz", &["Bia"]),
    ("Vinícius", &["Vini"]),
    // French
    ("Nicolas", &["Nico"]),
    ("Frédéric", &["Fred"]),
    ("Christophe", &["Chris"]),
    ("Alexandre", &["Alex"]),
    ("Dominique", &["Dom"]),
    ("Isabelle", &["Isa"]),
    ("Sébastien", &["Seb"]),
    ("Emmanuel", &["Manu"]),
    // Dutch
    ("Cornelis", &["Kees", "Cor"]),
    ("Jacobus", &["Koos", "Jaap", "Sjaak"]),
    ("Hendrik", &["Henk"]),
    ("Pieter", &["Piet"]),
    ("Willem", &["Wim"]),
    ("Wilhelmina", &["Mien", "Wil"]),
    ("Johanna", &["Joke"]),
    // Polish
    ("Katarzyna", &["Kasia"]),
    ("Małgorzata", &["Gosia", "Małgosia"]),
    ("Aleksandra", &["Ola"]),
    ("Agnieszka", &["Aga"]),
    ("Tomasz", &["Tomek"]),
    ("Krzysztof", &["Krzysiek"]),
    ("Wojciech", &["Wojtek"]),
    ("Magdalena", &["Magda"]),
    ("Jakub", &["Kuba"]),
    ("Józef", &["Józek"]),
    ("Joanna", &["Asia"]),
    ("Zofia", &["Zosia"]),
    ("Grzegorz", &["Grzesiek"]),
    ("Bartosz", &["Bartek"]),
    ("Przemysław", &["Przemek"]),
    // East Slavic
    ("Aleksandr", &["Sasha", "Sanya"]),
    ("Aleksei", &["Alyosha", "Lyosha"]),
    ("Dmitri", &["Dima"]),
    ("Mikhail", &["Misha"]),
    ("Nikolai", &["Kolya"]),
    ("Vladimir", &["Vova", "Volodya"]),
    ("Yekaterina", &["Katya"]),
    ("Tatyana", &["Tanya"]),
    ("Natalya", &["Natasha"]),
    ("Anastasia", &["Nastya"]),
    ("Yelena", &["Lena"]),
    ("Irina", &["Ira"]),
    ("Ivan", &["Vanya"]),
    ("Pavel", &["Pasha"]),
    ("Konstantin", &["Kostya"]),
    ("Yevgeny", &["Zhenya"]),
    ("Svetlana", &["Sveta"]),
    // Indian
    ("Venkatesh", &["Venky"]),
    ("Srinivas", &["Srini"]),
    ("Siddharth", &["Sid"]),
    ("Abhishek", &["Abhi"]),
    ("Aishwarya", &["Ash"]),
    // Irish
    ("Pádraig", &["Paddy"]),
];

/// Groups of spellings of one name: transliterations from Cyrillic, Arabic and Korean, and
/// Vietnamese written with and without its diacritics. Umlauts and other letters that
/// expand or drop are handled by rule, not listed.
const SPELLINGS: &[&[&str]] = &[
    &["Aleksandr", "Alexander", "Aleksander", "Alexandr"],
    &["Aleksei", "Alexey", "Alexei", "Aleksey"],
    &["Sergey", "Sergei", "Serguei"],
    &["Yuri", "Yury", "Yuriy", "Iurii"],
    &["Dmitri", "Dmitry", "Dmitriy"],
    &["Tatyana", "Tatiana", "Tatjana"],
    &["Natalya", "Natalia", "Natalja"],
    &["Yekaterina", "Ekaterina", "Jekaterina"],
    &["Yelena", "Elena", "Jelena"],
    &["Yevgeny", "Evgeny", "Evgeniy", "Jewgeni"],
    &["Mikhail", "Michail", "Mikhael"],
    &["Nikolai", "Nikolay", "Nikolaj"],
    &["Andrei", "Andrey", "Andrej"],
    &["Anastasia", "Anastasiya", "Anastasija"],
    &["Yulia", "Yuliya", "Julia", "Iuliia"],
    &["Maksim", "Maxim", "Maksym"],
    &["Artem", "Artyom", "Artiom"],
    &["Ksenia", "Kseniya", "Xenia"],
    &["Daria", "Darya", "Darja"],
    &["Oleksandr", "Olexandr", "Oleksander"],
    &["Serhiy", "Serhii", "Sergiy"],
    &["Andriy", "Andrii", "Andrij"],
    &["Fyodorov", "Fedorov", "Fiodorov"],
    &["Solovyov", "Soloviev", "Solovyev"],
    &["Vasiliev", "Vasilyev", "Vasilev"],
    &["Zaytsev", "Zaitsev", "Saizew"],
    &["Semyonov", "Semenov", "Semionov"],
    &["Kiselyov", "Kiselev", "Kiseljow"],
    &["Vorobyov", "Vorobiev", "Vorobyev"],
    &["Belyaev", "Beliaev", "Beljajew"],
    &["Mikhailov", "Mikhaylov", "Michailow"],
    &["Ivanov", "Iwanow"],
    &["Smirnov", "Smirnow"],
    &["Kuznetsov", "Kuznecov", "Kusnezow"],
    &["Popov", "Popow"],
    &["Sokolov", "Sokolow"],
    &["Lebedev", "Lebedew"],
    &["Kozlov", "Koslow"],
    &["Novikov", "Nowikow"],
    &["Morozov", "Morosow"],
    &["Petrov", "Petrow"],
    &["Volkov", "Wolkow"],
    &["Melnyk", "Melnik", "Melnychuk"],
    &["Mohammed", "Muhammad", "Mohamed", "Mohammad"],
    &["Ahmed", "Ahmad"],
    &["Youssef", "Yusuf", "Yousef", "Youssouf"],
    &["Omar", "Umar"],
    &["Hassan", "Hasan"],
    &["Hussein", "Hussain", "Husain"],
    &["Abdullah", "Abdallah", "Abdulla"],
    &["Khaled", "Khalid"],
    &["Mustafa", "Mostafa", "Moustafa"],
    &["Aisha", "Aysha", "Ayesha"],
    &["Fatima", "Fatimah", "Fatma"],
    &["Leila", "Layla", "Laila"],
    &["Nour", "Noor", "Nur"],
    &["Karim", "Kareem"],
    &["Samir", "Sameer"],
    &["Al-Sayed", "El-Sayed", "Elsayed", "Al Sayed"],
    &["El-Amin", "Al-Amin", "Elamin"],
    &["Khoury", "Khouri", "Khuri"],
    &["Saleh", "Salih"],
    &["Lakshmi", "Laxmi"],
    &["Subramanian", "Subramaniam"],
    &["Srinivasan", "Sreenivasan"],
    &["Mukherjee", "Mukherji"],
    &["Banerjee", "Banerji"],
    &["Chowdhury", "Choudhury", "Chaudhary"],
    &["Agarwal", "Aggarwal", "Agrawal"],
    &["Pooja", "Puja"],
    &["Lee", "Yi", "Rhee"],
    &["Park", "Pak"],
    &["Choi", "Choe"],
    &["Jung", "Jeong", "Chung"],
    &["Cho", "Jo"],
    &["Yoon", "Yun"],
    &["Min-jun", "Minjun", "Min Jun"],
    &["Seo-yeon", "Seoyeon", "Seo Yeon"],
    &["Ji-woo", "Jiwoo", "Ji Woo"],
    &["Ji-hoon", "Jihoon", "Ji Hoon"],
    &["Nguyen", "Nguyễn"],
    &["Tran", "Trần"],
    &["Pham", "Phạm"],
    &["Le", "Lê"],
    &["Hoang", "Hoàng"],
    &["Vu", "Vũ"],
    &["Dang", "Đặng"],
    &["Bui", "Bùi"],
    &["Do", "Đỗ"],
    &["Ngo", "Ngô"],
    &["Duong", "Dương"],
    &["Truong", "Trương"],
    &["Thanh", "Thành"],
    &["Huong", "Hương"],
    &["Duc", "Đức"],
    &["Tuan", "Tuấn"],
    &["Hung", "Hùng"],
    &["Phuong", "Phương"],
    &["Ngoc", "Ngọc"],
    &["Seán", "Sean", "Shaun"],
    &["Ciarán", "Ciaran", "Kieran"],
    &["Pádraig", "Padraig", "Padraic"],
];

/// Names added to the catalog's lists, by culture. Common names come first.
fn extra(h: Heritage) -> (&'static [&'static str], &'static [&'static str]) {
    match h {
        Heritage::Anglo => (ANGLO_FIRST, ANGLO_LAST),
        Heritage::Hispanic => (HISPANIC_FIRST, HISPANIC_LAST),
        Heritage::German => (GERMAN_FIRST, GERMAN_LAST),
        Heritage::French => (FRENCH_FIRST, FRENCH_LAST),
        Heritage::Dutch => (DUTCH_FIRST, DUTCH_LAST),
        Heritage::Swedish => (SWEDISH_FIRST, SWEDISH_LAST),
        Heritage::Danish => (DANISH_FIRST, DANISH_LAST),
        Heritage::Irish => (IRISH_FIRST, IRISH_LAST),
        Heritage::Indian => (INDIAN_FIRST, INDIAN_LAST),
        Heritage::Chinese => (CHINESE_FIRST, CHINESE_LAST),
        Heritage::Japanese => (JAPANESE_FIRST, JAPANESE_LAST),
        Heritage::Korean => (KOREAN_FIRST, KOREAN_LAST),
        Heritage::Vietnamese => (VIETNAMESE_FIRST, VIETNAMESE_LAST),
        Heritage::WestAfrican => (WEST_AFRICAN_FIRST, WEST_AFRICAN_LAST),
        Heritage::Arabic => (ARABIC_FIRST, ARABIC_LAST),
        Heritage::Turkish => (TURKISH_FIRST, TURKISH_LAST),
        Heritage::Polish => (POLISH_FIRST, POLISH_LAST),
        Heritage::Italian => (ITALIAN_FIRST, ITALIAN_LAST),
        Heritage::Brazilian => (BRAZILIAN_FIRST, BRAZILIAN_LAST),
        Heritage::EastSlavic => (EAST_SLAVIC_FIRST, EAST_SLAVIC_LAST),
    }
}

const ANGLO_FIRST: &[&str] = &[
    "Robert",
    "John",
    "Mary",
    "Jennifer",
    "Richard",
    "Joseph",
    "Linda",
    "Patricia",
    "Charles",
    "Margaret",
    "Katherine",
    "Susan",
    "Karen",
    "Steven",
    "Mark",
    "Paul",
    "Brian",
    "Kevin",
    "Nancy",
    "Lisa",
    "Betty",
    "Sandra",
    "Donna",
    "Carol",
    "Michelle",
    "Dorothy",
    "Rebecca",
    "Samantha",
    "Stephanie",
    "Deborah",
    "Victoria",
    "Alexander",
    "Anthony",
    "Timothy",
    "Kenneth",
    "Gregory",
    "Edward",
    "Ronald",
    "Donald",
    "Gary",
    "Jeffrey",
    "Frank",
    "Raymond",
    "Patrick",
    "Peter",
    "Samuel",
    "Nicholas",
    "Zachary",
    "Douglas",
    "Henry",
    "Dennis",
    "Walter",
    "Gerald",
    "Theodore",
    "Frederick",
    "Lawrence",
    "Phillip",
    "Jacob",
    "Gabriel",
    "Eric",
    "Jason",
    "Justin",
    "Aaron",
    "Adam",
    "Kyle",
    "Jeremy",
    "Kimberly",
    "Pamela",
    "Cynthia",
    "Angela",
    "Melissa",
    "Laura",
    "Amy",
    "Nicole",
    "Christine",
    "Maureen",
    "Diane",
    "Julie",
    "Alexandra",
    "Eleanor",
    "Caroline",
    "Natalie",
    "Allison",
    "Brittany",
    "Courtney",
    "Erin",
    "Kelly",
    "Tiffany",
    "Vanessa",
    "Shannon",
    "Barbara",
    "Catherine",
    "Stephen",
    "Christian",
    "Harold",
    "Arthur",
    "Carl",
    "Roger",
    "Keith",
    "Terry",
    "Sean",
    "Austin",
    "Noah",
    "Logan",
    "Evelyn",
    "Judith",
    "Janet",
    "Ruth",
    "Sharon",
    "Kathleen",
    "Teresa",
    "Gloria",
    "Joan",
    "Marilyn",
    "Denise",
    "Tammy",
    "Beverly",
    "Theresa",
    "Jacqueline",
    "Wendy",
    "Leslie",
    "Monica",
    "Brenda",
    "Carolyn",
    "Marcus",
    "Derek",
    "Travis",
    "Shawn",
    "Trevor",
    "Dylan",
    "Connor",
    "Caleb",
    "Luke",
    "Owen",
    "Isaac",
    "Julian",
    "Ian",
    "Colin",
    "Natasha",
    "Holly",
    "Paige",
    "Morgan",
    "Taylor",
    "Jordan",
    "Bethany",
    "Lindsay",
];

const ANGLO_LAST: &[&str] = &[
    "Hall",
    "King",
    "Cooper",
    "Morgan",
    "Bell",
    "Bailey",
    "Cook",
    "Rogers",
    "Morris",
    "Reed",
    "Howard",
    "Ward",
    "Cox",
    "Richardson",
    "Wood",
    "Watson",
    "Brooks",
    "Bennett",
    "Gray",
    "James",
    "Hughes",
    "Price",
    "Sanders",
    "Myers",
    "Long",
    "Ross",
    "Foster",
    "Powell",
    "Jenkins",
    "Perry",
    "Russell",
    "Sullivan",
    "Fisher",
    "Henderson",
    "Coleman",
    "Simmons",
    "Patterson",
    "Jordan",
    "Reynolds",
    "Hamilton",
    "Graham",
    "Wallace",
    "West",
    "Cole",
    "Hayes",
    "Bryant",
    "Ellis",
    "Stevens",
    "Marshall",
    "Owens",
    "Harrison",
    "Gibson",
    "Kennedy",
    "Wells",
    "Webb",
    "Tucker",
    "Porter",
    "Hunter",
    "Hicks",
    "Crawford",
    "Henry",
    "Boyd",
    "Mason",
    "Warren",
    "Dixon",
    "Burns",
    "Gordon",
    "Shaw",
    "Holmes",
    "Rice",
    "Hunt",
    "Black",
    "Daniels",
    "Palmer",
    "Mills",
    "Grant",
    "Knight",
    "Ferguson",
    "Stone",
    "Hawkins",
    "Dunn",
    "Perkins",
    "Hudson",
    "Spencer",
    "Stephens",
    "Pierce",
    "Hart",
    "Elliott",
    "Cunningham",
    "Bradley",
    "Lane",
    "Andrews",
    "Fox",
    "Riley",
    "Armstrong",
    "Carpenter",
    "Weaver",
    "Greene",
    "Lawrence",
    "Chapman",
    "Howell",
    "Berry",
    "Barnes",
    "Fleming",
    "Newman",
    "Carroll",
    "Duncan",
    "Sutton",
    "Hopkins",
    "Lambert",
    "Parsons",
    "Bishop",
    "Fletcher",
    "Walsh",
    "Lloyd",
    "Harvey",
    "Barker",
    "Pearson",
    "Atkinson",
    "Bates",
    "Reid",
    "Wade",
    "Sharp",
    "Booth",
    "Dawson",
    "Holland",
    "Goodwin",
    "Vaughn",
    "Middleton",
    "Blackwell",
    "Ashworth",
    "Pemberton",
    "Kingsley",
    "Thornton",
    "Caldwell",
    "MacDonald",
    "McKenzie",
    "Fitzwilliam",
    "Van Buren",
    "Delaney",
];

const HISPANIC_FIRST: &[&str] = &[
    "Juan",
    "Carlos",
    "Luis",
    "Miguel",
    "Francisco",
    "Antonio",
    "Manuel",
    "Jorge",
    "Fernando",
    "Ricardo",
    "Eduardo",
    "Roberto",
    "Alberto",
    "Guillermo",
    "Ignacio",
    "Enrique",
    "Santiago",
    "Rafael",
    "Gabriela",
    "Daniela",
    "Paula",
    "Laura",
    "Ana",
    "Rosa",
    "Dolores",
    "Guadalupe",
    "Patricia",
    "Verónica",
    "Mónica",
    "Claudia",
    "Beatriz",
    "Concepción",
    "Rosario",
    "Pilar",
    "Teresa",
    "Cristina",
    "Alicia",
    "Natalia",
    "Esperanza",
    "Héctor",
    "Óscar",
    "Víctor",
    "Rubén",
    "Hugo",
    "Emilio",
    "Joaquín",
    "Gonzalo",
    "Nicolás",
    "Felipe",
    "Ximena",
    "Paola",
    "Andrea",
    "Lorena",
    "Yolanda",
    "Silvia",
    "Marta",
    "Nuria",
    "Montserrat",
    "Begoña",
    "Iker",
];

const HISPANIC_LAST: &[&str] = &[
    "Romero",
    "Navarro",
    "Ramos",
    "Gil",
    "Serrano",
    "Molina",
    "Blanco",
    "Suárez",
    "Castro",
    "Ortega",
    "Delgado",
    "Rubio",
    "Marín",
    "Sanz",
    "Iglesias",
    "Medina",
    "Garrido",
    "Cortés",
    "Guerrero",
    "Lozano",
    "Cano",
    "Prieto",
    "Méndez",
    "Cruz",
    "Calvo",
    "Gallego",
    "Vidal",
    "León",
    "Herrera",
    "Márquez",
    "Peña",
    "Cabrera",
    "Campos",
    "Vega",
    "Fuentes",
    "Carrasco",
    "Reyes",
    "Aguilar",
    "Mendoza",
    "Rojas",
    "Contreras",
    "Salazar",
    "Espinoza",
    "Sandoval",
    "Valencia",
    "Guzmán",
    "Acosta",
    "Figueroa",
    "Ibáñez",
    "Santana",
    "Pascual",
    "Soto",
    "Domínguez",
    "Vázquez",
    "Benítez",
    "Crespo",
    "Pastor",
    "Velasco",
    "Moreno",
    "de León",
];

const GERMAN_FIRST: &[&str] = &[
    "Johannes",
    "Wolfgang",
    "Friedrich",
    "Andreas",
    "Christian",
    "Michael",
    "Thomas",
    "Alexander",
    "Elisabeth",
    "Gabriele",
    "Susanne",
    "Florian",
    "Sebastian",
    "Margarete",
    "Wilhelm",
    "Klaus",
    "Peter",
    "Ulrich",
    "Dieter",
    "Manfred",
    "Monika",
    "Petra",
    "Ursula",
    "Claudia",
    "Andrea",
    "Martina",
    "Heike",
    "Karin",
    "Kerstin",
    "Markus",
    "Frank",
    "Ralf",
    "Bernd",
    "Holger",
    "Daniel",
    "Jens",
    "Sven",
    "Nina",
    "Jana",
    "Laura",
    "Sarah",
    "Marie",
    "Paul",
    "Philipp",
    "Niklas",
    "Tim",
    "Simon",
    "Björn",
    "Günter",
    "Jörn",
    "Dörte",
    "Bärbel",
    "Hannelore",
    "Gisela",
    "Renate",
    "Helga",
    "Anke",
    "Silke",
    "Tanja",
    "Nadine",
    "Christina",
    "Marcel",
    "Dennis",
    "Patrick",
    "Oliver",
    "Torsten",
    "Heiko",
    "Uwe",
    "Volker",
    "Rüdiger",
];

const GERMAN_LAST: &[&str] = &[
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Schuster",
    "Simon",
    "Ludwig",
    "Winter",
    "Kraus",
    "Martin",
    "Schumacher",
    "Krämer",
    "Vogt",
    "Stein",
    "Jäger",
    "Otto",
    "Sommer",
    "Seidel",
    "Heinrich",
    "Brandt",
    "Haas",
    "Schreiber",
    "Graf",
    "Schulte",
    "Dietrich",
    "Ziegler",
    "Kuhn",
    "Kühn",
    "Pohl",
    "Engel",
    "Horn",
    "Busch",
    "Bergmann",
    "Voigt",
    "Sauer",
    "Arnold",
    "Wolff",
    "Pfeiffer",
    "Jürgens",
    "Löffler",
    "Büttner",
    "Gärtner",
    "Müller-Lüdenscheidt",
    "Schütz",
    "Thiele",
    "Ernst",
    "Schröter",
    "von der Heide",
    "Förster",
];

const FRENCH_FIRST: &[&str] = &[
    "Jean",
    "Pierre",
    "Michel",
    "Philippe",
    "Alain",
    "Patrick",
    "Nathalie",
    "Isabelle",
    "Sylvie",
    "Catherine",
    "Christophe",
    "Frédéric",
    "Alexandre",
    "Dominique",
    "Emmanuel",
    "Guillaume",
    "Mathieu",
    "Laurent",
    "Olivier",
    "Valérie",
    "Sandrine",
    "Céline",
    "Sophie",
    "Émilie",
    "Julie",
    "Marie",
    "Anne",
    "Caroline",
    "Vincent",
    "Romain",
    "Maxime",
    "Hugo",
    "Louis",
    "Claire",
    "Pauline",
    "Marion",
    "Lucie",
    "Inès",
    "Thierry",
    "Éric",
    "Bruno",
    "Didier",
    "Pascal",
    "Franck",
    "Virginie",
    "Delphine",
    "Jean-Pierre",
    "Jean-Marc",
    "Marie-Claire",
    "Anne-Sophie",
];

const FRENCH_LAST: &[&str] = &[
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Leroy",
    "Simon",
    "Michel",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Guérin",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gautier",
    "Dumont",
    "Blanc",
    "Boyer",
    "Garnier",
    "François",
    "Legrand",
    "Perrot",
    "Roche",
    "Meunier",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Brun",
    "Giraud",
    "Joly",
    "Rivière",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Gérard",
    "Renard",
    "Roy",
    "Leroux",
    "Colin",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Bourgeois",
    "Benoît",
    "Leclerc",
    "Rolland",
    "Guillaume",
    "Lecomte",
    "Dupuy",
    "Hubert",
    "Carpentier",
    "Dupuis",
    "Moulin",
    "Deschamps",
    "Fleury",
    "Le Gall",
    "Le Goff",
    "Prévost",
    "Léger",
];

const DUTCH_FIRST: &[&str] = &[
    "Johannes",
    "Cornelis",
    "Jacobus",
    "Hendrik",
    "Pieter",
    "Willem",
    "Wilhelmina",
    "Johanna",
    "Maria",
    "Anna",
    "Jan",
    "Dirk",
    "Marloes",
    "Esther",
    "Linda",
    "Marieke",
    "Mark",
    "Stefan",
    "Bas",
    "Tim",
    "Lars",
    "Koen",
    "Martijn",
    "Inge",
    "Annemiek",
    "Sander",
    "Joost",
    "Rik",
    "Tom",
    "Gerrit",
    "Hans",
    "Mirjam",
    "Ingrid",
    "Yvonne",
    "Erik",
];

const DUTCH_LAST: &[&str] = &[
    "Peters",
    "van der Linden",
    "Dijkstra",
    "Smits",
    "de Wit",
    "Schouten",
    "Willems",
    "van der Heijden",
    "Hoekstra",
    "Koster",
    "Verhoeven",
    "Prins",
    "Huisman",
    "Peeters",
    "de Haan",
    "Kok",
    "Vos",
    "van Beek",
    "Sanders",
    "Postma",
    "Jacobs",
    "van Vliet",
    "Maas",
    "Verbeek",
    "Timmermans",
    "Kramer",
    "Groen",
    "van Dam",
    "van Wijk",
    "Boer",
    "Scholten",
    "Kuiper",
    "Bosman",
    "Wouters",
    "Mertens",
    "van den Broek",
    "Veenstra",
    "Koning",
];

const SWEDISH_FIRST: &[&str] = &[
    "Karl", "Per", "Mikael", "Magnus", "Fredrik", "Peter", "Anna", "Maria", "Eva", "Kristina",
    "Birgitta", "Katarina", "Lena", "Cecilia", "Jonas", "Mattias", "Gustav", "Axel", "Viktor",
    "Ulf", "Stefan", "Malin", "Jenny", "Sara", "Hanna", "Göran", "Håkan", "Jörgen",
];

const SWEDISH_LAST: &[&str] = &[
    "Jonsson",
    "Petersson",
    "Jakobsson",
    "Magnusson",
    "Hansson",
    "Axelsson",
    "Berglund",
    "Lundberg",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berg",
    "Forsberg",
    "Sandberg",
    "Engström",
    "Danielsson",
    "Nyström",
    "Dahlberg",
    "Sundberg",
    "Björk",
    "Hedlund",
    "Fransson",
    "Ström",
    "Söderberg",
    "Åström",
    "Norén",
    "Lind",
    "Sjögren",
];

const DANISH_FIRST: &[&str] = &[
    "Lars",
    "Jens",
    "Peter",
    "Henrik",
    "Morten",
    "Niels",
    "Christian",
    "Kirsten",
    "Hanne",
    "Lene",
    "Susanne",
    "Lone",
    "Camilla",
    "Louise",
    "Christina",
    "Mikkel",
    "Jesper",
    "Thomas",
    "Søs",
    "Bodil",
    "Torben",
    "Ole",
];

const DANISH_LAST: &[&str] = &[
    "Poulsen",
    "Johansen",
    "Knudsen",
    "Mortensen",
    "Jakobsen",
    "Mikkelsen",
    "Frederiksen",
    "Laursen",
    "Henriksen",
    "Lund",
    "Schmidt",
    "Holm",
    "Eriksen",
    "Kristiansen",
    "Bach",
    "Clausen",
    "Simonsen",
    "Svendsen",
    "Andreasen",
    "Iversen",
    "Jeppesen",
    "Vestergaard",
    "Dam",
    "Kjeldsen",
    "Søndergaard",
    "Bækgaard",
    "Højgaard",
];

const IRISH_FIRST: &[&str] = &[
    "Patrick", "Brendan", "Colm", "Dermot", "Aidan", "Ronan", "Shane", "Aoibhinn", "Clodagh",
    "Gráinne", "Sinéad", "Máire", "Bríd", "Deirdre", "Eimear", "Laoise", "Seamus", "Liam",
    "Fergal", "Cathal", "Nuala", "Maeve",
];

const IRISH_LAST: &[&str] = &[
    "Kennedy",
    "Lynch",
    "Murray",
    "Quinn",
    "McLoughlin",
    "Carroll",
    "Connolly",
    "Daly",
    "Brennan",
    "Burke",
    "Collins",
    "Clarke",
    "Johnston",
    "Hughes",
    "O'Reilly",
    "Farrell",
    "Fitzpatrick",
    "Power",
    "Dunne",
    "Nolan",
    "Brady",
    "Healy",
    "Foley",
    "O'Donnell",
    "Keane",
    "Mulligan",
    "Hogan",
    "McGrath",
    "Ó Súilleabháin",
    "Mac Giolla Phádraig",
];

const INDIAN_FIRST: &[&str] = &[
    "Amit",
    "Anil",
    "Ravi",
    "Rajesh",
    "Ramesh",
    "Sunil",
    "Vijay",
    "Ajay",
    "Manoj",
    "Rakesh",
    "Sandeep",
    "Sachin",
    "Pradeep",
    "Ashok",
    "Gaurav",
    "Rohit",
    "Varun",
    "Abhishek",
    "Ankit",
    "Siddharth",
    "Neha",
    "Anjali",
    "Sunita",
    "Kavita",
    "Anita",
    "Rekha",
    "Shweta",
    "Swati",
    "Nisha",
    "Preeti",
    "Aishwarya",
    "Shruti",
    "Ritu",
    "Asha",
    "Radha",
    "Venkatesh",
    "Srinivas",
    "Mohan",
    "Ganesh",
    "Arun",
    "Krishna",
    "Gopal",
    "Naveen",
    "Prakash",
    "Harish",
    "Mahesh",
    "Girish",
    "Vivek",
    "Rajiv",
    "Arvind",
    "Manish",
    "Sameer",
    "Farhan",
    "Imran",
    "Zainab",
    "Gurpreet",
    "Manpreet",
    "Jaspreet",
    "Simran",
    "Ishaan",
    "Vihaan",
    "Saanvi",
    "Aadhya",
    "Tanvi",
    "Ritika",
    "Nandini",
    "Bhavna",
    "Hemant",
    "Dinesh",
    "Sudhir",
    "Yogesh",
    "Lakshmi",
    "Pooja",
];

const INDIAN_LAST: &[&str] = &[
    "Verma",
    "Jain",
    "Bose",
    "Das",
    "Ghosh",
    "Chatterjee",
    "Sen",
    "Pillai",
    "Menon",
    "Kulkarni",
    "Joshi",
    "Patil",
    "Deshpande",
    "Naidu",
    "Chowdhury",
    "Malhotra",
    "Kapoor",
    "Khanna",
    "Bhatia",
    "Saxena",
    "Srivastava",
    "Mishra",
    "Pandey",
    "Tiwari",
    "Dubey",
    "Yadav",
    "Thakur",
    "Chauhan",
    "Rathore",
    "Sinha",
    "Prasad",
    "Khan",
    "Ali",
    "Siddiqui",
    "Qureshi",
    "Hegde",
    "Shetty",
    "Kamath",
    "Shenoy",
    "Rajan",
    "Raman",
    "Srinivasan",
    "Natarajan",
    "Ramakrishnan",
    "Balasubramanian",
    "Gopalakrishnan",
    "Sundaram",
    "Chandrasekhar",
    "Murthy",
    "Gill",
    "Sandhu",
    "Dhillon",
    "Grewal",
    "Trivedi",
    "Dwivedi",
    "Chaturvedi",
    "Goswami",
    "Mehra",
    "Arora",
    "Sethi",
    "Ahuja",
    "Bajaj",
    "Lal",
    "Varghese",
    "Thomas",
    "Fernandes",
    "D'Souza",
];

const CHINESE_FIRST: &[&str] = &[
    "Fang", "Lin", "Ming", "Hui", "Jie", "Qiang", "Tao", "Yong", "Hua", "Jian", "Ping", "Gang",
    "Xiu", "Yu", "Bo", "Chao", "Dan", "Hong", "Juan", "Kai", "Lan", "Na", "Ning", "Peng", "Qing",
    "Rui", "Shu", "Ting", "Xia", "Xiaoli", "Yi", "Yun", "Zhen", "Zhiwei", "Haoran", "Zihan",
    "Yuxuan", "Xinyi", "Jiahui", "Minghao", "Junjie", "Wenjie", "Shuang", "Lili", "Xiaoyu",
    "Jiayi", "Yiming", "Zhihao", "Chen", "Bin",
];

const CHINESE_LAST: &[&str] = &[
    "Ma", "Zhu", "Hu", "Guo", "He", "Gao", "Lin", "Luo", "Zheng", "Liang", "Xie", "Song", "Tang",
    "Han", "Feng", "Deng", "Cao", "Peng", "Zeng", "Xiao", "Tian", "Dong", "Pan", "Yuan", "Cai",
    "Jiang", "Yu", "Du", "Ye", "Cheng", "Wei", "Su", "Lu", "Ding", "Ren", "Shen", "Yao", "Cui",
    "Zhong", "Tan", "Fan", "Wong", "Chan", "Leung", "Ho", "Lau",
];

const JAPANESE_FIRST: &[&str] = &[
    "Takeshi", "Hiroki", "Daisuke", "Kazuki", "Shota", "Naoki", "Satoshi", "Yusuke", "Akira",
    "Kaito", "Sota", "Yuto", "Riku", "Hina", "Yuna", "Mio", "Aoi", "Rin", "Emi", "Keiko", "Yoko",
    "Naomi", "Mai", "Ayumi", "Tomoko", "Kaori", "Megumi", "Shinji", "Kenta", "Masato",
];

const JAPANESE_LAST: &[&str] = &[
    "Yoshida",
    "Yamada",
    "Sasaki",
    "Yamaguchi",
    "Matsumoto",
    "Inoue",
    "Kimura",
    "Hayashi",
    "Shimizu",
    "Yamazaki",
    "Mori",
    "Abe",
    "Ikeda",
    "Hashimoto",
    "Yamashita",
    "Ishikawa",
    "Nakajima",
    "Maeda",
    "Fujita",
    "Ogawa",
    "Goto",
    "Okada",
    "Hasegawa",
    "Murakami",
    "Kondo",
    "Ishii",
    "Saito",
    "Sakamoto",
    "Endo",
    "Aoki",
];

const KOREAN_FIRST: &[&str] = &[
    "Seo-jun",
    "Do-yun",
    "Ha-eun",
    "Seo-ah",
    "Ye-jin",
    "Ji-min",
    "Min-seo",
    "Jae-won",
    "Sung-min",
    "Young-ho",
    "Hye-jin",
    "Su-bin",
    "Joon-ho",
    "Eun-woo",
    "Ji-ho",
    "Yu-na",
    "Sang-woo",
    "Jin-young",
];

const KOREAN_LAST: &[&str] = &[
    "Lim", "Han", "Oh", "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Jeon", "Hong", "Yoo", "Ko",
    "Moon", "Yang", "Son", "Bae", "Baek",
];

const VIETNAMESE_FIRST: &[&str] = &[
    "Tuan", "Hung", "Hieu", "Khanh", "Long", "Nam", "Phuong", "Thao", "Trang", "Mai", "Ngoc",
    "Hai", "Dung", "Hoa", "Tam", "Thu", "Vy", "Huy", "Khoa", "Bao", "An", "Binh", "Cuong", "Dat",
    "Giang", "Ha", "Hanh", "Hien", "Hoai", "Kien", "Loan", "My", "Nga", "Nhung", "Phuc", "Quynh",
    "Son", "Thang", "Thuy", "Tien", "Trung", "Tu", "Uyen", "Viet", "Xuan", "Yen",
];

const VIETNAMESE_LAST: &[&str] = &[
    "Phan", "Vo", "Do", "Ho", "Ngo", "Duong", "Ly", "Truong", "Dinh", "Lam", "Mai", "Trinh", "Luu",
];

const WEST_AFRICAN_FIRST: &[&str] = &[
    "Olumide",
    "Babajide",
    "Chukwuemeka",
    "Nnamdi",
    "Obinna",
    "Uche",
    "Chioma",
    "Funmilayo",
    "Yetunde",
    "Bisi",
    "Segun",
    "Femi",
    "Kehinde",
    "Taiwo",
    "Akosua",
    "Kwabena",
    "Efua",
    "Esi",
    "Kojo",
    "Nana",
    "Ibrahim",
    "Musa",
    "Aminata",
    "Fatou",
];

const WEST_AFRICAN_LAST: &[&str] = &[
    "Adewale",
    "Ojo",
    "Okeke",
    "Okoro",
    "Adeleke",
    "Ogunbiyi",
    "Bello",
    "Ibrahim",
    "Abubakar",
    "Danjuma",
    "Addo",
    "Appiah",
    "Ampofo",
    "Darko",
    "Osei",
    "Agyeman",
    "Frimpong",
    "Acheampong",
    "Diallo",
    "Traoré",
    "Ndiaye",
    "Coulibaly",
];

const ARABIC_FIRST: &[&str] = &[
    "Abdullah", "Khaled", "Mustafa", "Hussein", "Ali", "Ibrahim", "Tariq", "Walid", "Rami", "Ziad",
    "Nadia", "Rania", "Salma", "Mariam", "Yasmin", "Huda", "Dina", "Hana", "Zainab", "Noura",
    "Sara", "Bilal", "Hamza", "Faisal",
];

const ARABIC_LAST: &[&str] = &[
    "Abbas",
    "Aziz",
    "Darwish",
    "Farouk",
    "Habib",
    "Hakim",
    "Ibrahim",
    "Jaber",
    "Kassem",
    "Mahmoud",
    "Rahman",
    "Said",
    "Shaheen",
    "Suleiman",
    "Yassin",
    "Zaki",
    "Hussein",
    "Karam",
    "Bakr",
    "Al-Hashimi",
    "Al-Rashid",
    "Qasim",
    "Najjar",
    "Sabbagh",
];

const TURKISH_FIRST: &[&str] = &[
    "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "Fatma", "Emine", "Hatice", "Merve",
    "Büşra", "Esra", "Cem", "Kerem", "Serkan", "Gökhan", "Onur", "Murat", "Özlem", "Ebru",
];

const TURKISH_LAST: &[&str] = &[
    "Yıldız",
    "Yıldırım",
    "Özdemir",
    "Kılıç",
    "Aslan",
    "Çetin",
    "Kara",
    "Kurt",
    "Özkan",
    "Şimşek",
    "Polat",
    "Erdoğan",
    "Güneş",
    "Aksoy",
    "Tekin",
    "Ünal",
    "Bulut",
    "Avcı",
    "Korkmaz",
];

const POLISH_FIRST: &[&str] = &[
    "Anna",
    "Maria",
    "Aleksandra",
    "Natalia",
    "Julia",
    "Barbara",
    "Marta",
    "Monika",
    "Dorota",
    "Beata",
    "Jan",
    "Andrzej",
    "Józef",
    "Stanisław",
    "Adam",
    "Grzegorz",
    "Mariusz",
    "Dariusz",
    "Rafał",
    "Kamil",
    "Mateusz",
    "Bartosz",
    "Damian",
    "Przemysław",
];

const POLISH_LAST: &[&str] = &[
    "Kowalski",
    "Wiśniewski",
    "Lewandowski",
    "Zieliński",
    "Szymański",
    "Kamiński",
    "Kozłowski",
    "Jankowski",
    "Wojciechowski",
    "Kwiatkowski",
    "Piotrowski",
    "Grabowski",
    "Nowakowski",
    "Pawłowski",
    "Michalski",
    "Nowicki",
    "Adamczyk",
    "Dudek",
    "Zawadzki",
    "Jabłoński",
    "Majewski",
    "Olszewski",
    "Jaworski",
    "Malinowski",
    "Stępień",
    "Górski",
    "Rutkowski",
    "Witkowski",
    "Walczak",
    "Sadowski",
    "Ostrowski",
    "Baranowski",
    "Duda",
    "Kowalska",
    "Wiśniewska",
    "Lewandowska",
];

const ITALIAN_FIRST: &[&str] = &[
    "Giuseppe",
    "Giovanni",
    "Antonio",
    "Francesco",
    "Roberto",
    "Andrea",
    "Stefano",
    "Paolo",
    "Massimo",
    "Fabio",
    "Simone",
    "Riccardo",
    "Alessandra",
    "Valentina",
    "Paola",
    "Anna",
    "Laura",
    "Roberta",
    "Claudia",
    "Monica",
    "Barbara",
    "Elisa",
    "Ilaria",
    "Valeria",
    "Serena",
];

const ITALIAN_LAST: &[&str] = &[
    "Costa",
    "Giordano",
    "Rizzo",
    "Lombardi",
    "Moretti",
    "Barbieri",
    "Fontana",
    "Santoro",
    "Mariani",
    "Rinaldi",
    "Caruso",
    "Ferrara",
    "Galli",
    "Martini",
    "Leone",
    "Longo",
    "Gentile",
    "Martinelli",
    "Vitale",
    "Lombardo",
    "Serra",
    "Coppola",
    "De Santis",
    "D'Amico",
    "Marchetti",
    "Parisi",
    "Villa",
    "Conte",
    "Ferraro",
    "Ferri",
    "Fabbri",
    "Bianco",
    "Marini",
    "Grasso",
    "Valentini",
    "Messina",
    "Sala",
    "De Angelis",
    "Gatti",
    "Pellegrini",
];

const BRAZILIAN_FIRST: &[&str] = &[
    "Francisco",
    "Antônio",
    "José",
    "Paulo",
    "Carlos",
    "Marcos",
    "Luiz",
    "Ricardo",
    "Rodrigo",
    "Eduardo",
    "Felipe",
    "Bruno",
    "Leonardo",
    "Gustavo",
    "Matheus",
    "Juliana",
    "Patrícia",
    "Aline",
    "Sandra",
    "Adriana",
    "Márcia",
    "Vanessa",
    "Amanda",
    "Bruna",
    "Carolina",
    "Débora",
    "Renata",
    "Tatiana",
    "Priscila",
    "Natália",
];

const BRAZILIAN_LAST: &[&str] = &[
    "Alves",
    "Gomes",
    "Martins",
    "Rocha",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barros",
    "Freitas",
    "Cardoso",
    "Teixeira",
    "Moreira",
    "Cavalcanti",
    "Dias",
    "Castro",
    "Campos",
    "Nascimento",
    "Andrade",
    "Moura",
    "Lopes",
    "Mendes",
    "Nunes",
    "Machado",
    "Batista",
    "Pinto",
    "Azevedo",
    "Monteiro",
    "Correia",
    "Reis",
    "dos Santos",
];

const EAST_SLAVIC_FIRST: &[&str] = &[
    "Aleksandr",
    "Sergey",
    "Dmitri",
    "Andrei",
    "Aleksei",
    "Mikhail",
    "Nikolai",
    "Vladimir",
    "Ivan",
    "Pavel",
    "Yuri",
    "Konstantin",
    "Yevgeny",
    "Maksim",
    "Artem",
    "Igor",
    "Oleg",
    "Viktor",
    "Roman",
    "Denis",
    "Anton",
    "Tatyana",
    "Natalya",
    "Yekaterina",
    "Yelena",
    "Olga",
    "Irina",
    "Svetlana",
    "Anastasia",
    "Yulia",
    "Marina",
    "Ksenia",
    "Daria",
    "Oleksandr",
    "Serhiy",
    "Andriy",
];

const EAST_SLAVIC_LAST: &[&str] = &[
    "Ivanov",
    "Smirnov",
    "Kuznetsov",
    "Popov",
    "Sokolov",
    "Lebedev",
    "Kozlov",
    "Novikov",
    "Morozov",
    "Petrov",
    "Volkov",
    "Solovyov",
    "Vasiliev",
    "Zaytsev",
    "Pavlov",
    "Semyonov",
    "Golubev",
    "Vinogradov",
    "Bogdanov",
    "Vorobyov",
    "Fyodorov",
    "Mikhailov",
    "Belyaev",
    "Tarasov",
    "Belov",
    "Komarov",
    "Orlov",
    "Kiselyov",
    "Makarov",
    "Andreev",
    "Kovalenko",
    "Shevchenko",
    "Bondarenko",
    "Tkachenko",
    "Melnyk",
    "Ivanova",
    "Petrova",
    "Smirnova",
];

const ANGLO_HEADS: &[&str] = &[
    "Ash", "Black", "Brad", "Brook", "Chad", "Clay", "Cole", "Crom", "Dal", "Dun", "Ell", "Fair",
    "Far", "Gold", "Green", "Hal", "Hart", "Hay", "Hol", "Kings", "Lang", "Lock", "Mar", "Mid",
    "Mor", "North", "Pen", "Rad", "Red", "Ring", "Rock", "Roth", "Shel", "Sher", "Stan", "Stock",
    "Strat", "Sut", "Thorn", "Tre", "War", "Wat", "Wen", "West", "Whit", "Win", "Wood", "Wy", "Al",
    "Bar", "Bel", "Bright", "Bur", "Carl", "Chat", "Dar", "Elm", "Fen", "Fox", "Hather", "Hunt",
    "Kim", "Knight", "Lind", "Marl", "Nor", "Oak", "Pem", "Rus", "Sel",
];

const ANGLO_TAILS: &[&str] = &[
    "worth", "wood", "ford", "field", "ley", "ton", "ington", "well", "ham", "by", "brook", "more",
    "er", "man", "combe", "hurst", "wick", "stead", "dale", "bury", "land", "ridge", "shaw",
    "cott", "ling", "wright", "bridge", "sey", "den", "ney", "low", "mond", "grove", "house",
    "hall", "lake",
];

const IRISH_HEADS: &[&str] = &["O'", "Mc", "Mac"];

const IRISH_TAILS: &[&str] = &[
    "Brien", "Connor", "Neill", "Sullivan", "Donnell", "Reilly", "Shea", "Keeffe", "Mahony",
    "Grady", "Carthy", "Donagh", "Grath", "Mahon", "Namara", "Kenna", "Laughlin", "Cormack",
    "Dermott", "Govern", "Hugh", "Manus", "Nally", "Garry", "Dowell", "Kiernan", "Fadden",
    "Loughlin", "Callan", "Guire",
];

const GERMAN_HEADS: &[&str] = &[
    "Bau", "Berg", "Brink", "Dorn", "Eich", "Fried", "Gut", "Hage", "Hein", "Hell", "Hof", "Holz",
    "Kirch", "Klein", "Kling", "Lind", "Mahl", "Neu", "Ober", "Rein", "Rosen", "Schön", "Stein",
    "Sonn", "Wald", "Weid", "Wein", "Wies", "Wolf", "Zimmer", "Brock", "Ost", "Nord", "Hamm",
    "Lange", "Stroh", "Gross", "Fels", "Mühl", "Kött",
];

const GERMAN_TAILS: &[&str] = &[
    "mann", "er", "berger", "meier", "bauer", "hoff", "kamp", "brink", "feld", "hausen", "stein",
    "bach", "müller", "ke", "inger", "reiter", "schmidt", "huber", "wald", "ner",
];

const FRENCH_HEADS: &[&str] = &[
    "Du", "Le", "La", "De", "Des", "Beau", "Bel", "Mont", "Roche", "Val", "Ville", "Bon", "Saint-",
    "Dela",
];

const FRENCH_TAILS: &[&str] = &[
    "bois", "pont", "val", "mas", "brun", "blanc", "marche", "croix", "fort", "champ", "lac",
    "mont", "chesne", "fontaine", "noyer", "pré", "rocher", "vigne", "fosse", "moulin", "haye",
    "court",
];

const DUTCH_HEADS: &[&str] = &["van der ", "van den ", "van ", "de ", "ter ", "Ver"];

const DUTCH_TAILS: &[&str] = &[
    "Berg", "Meer", "Linden", "Heijden", "Wal", "Veen", "Zande", "Poel", "Hoek", "Kamp", "Steen",
    "Bosch", "Brink", "Laan", "Dijk", "Velde", "Broek", "Wetering", "Horst", "Molen", "Graaf",
    "Beek", "Hout", "Leeuw",
];

const SWEDISH_HEADS: &[&str] = &[
    "Berg", "Lind", "Sjö", "Ek", "Holm", "Strand", "Dahl", "Lund", "Sand", "Nord", "Söder", "Ås",
    "Björk", "Gran", "Fors", "Hed", "Ny", "Wall", "Ström", "Blom", "Al", "Eng",
];

const SWEDISH_TAILS: &[&str] = &[
    "berg", "lund", "ström", "qvist", "gren", "holm", "dahl", "man", "bäck", "vall", "kvist",
    "hed", "blad", "stedt",
];

const DANISH_HEADS: &[&str] = &[
    "Vester", "Øster", "Nør", "Sønder", "Kjær", "Bæk", "Dal", "Skov", "Lund", "Holm", "Hede",
    "Bro", "Fisker", "Mølle", "Krog", "Lind",
];

const DANISH_TAILS: &[&str] = &["gaard", "bjerg", "lund", "holm", "strup", "rup", "by"];

const ITALIAN_HEADS: &[&str] = &[
    "Bian", "Ross", "Ferr", "Bart", "Mor", "Gall", "Fontan", "Marin", "Rizz", "Colomb", "Caval",
    "Sant", "Pell", "Rugg", "Bernard", "Gior", "Lomb", "Mart", "Cap", "Pag",
];

const ITALIAN_TAILS: &[&str] = &[
    "i", "o", "etti", "ini", "elli", "ucci", "one", "ari", "ato", "esi", "aldi", "acci", "otti",
    "ano", "ese", "ieri", "olo", "uzzi", "atti", "illo",
];

const POLISH_HEADS: &[&str] = &[
    "Nowak", "Kowal", "Pawl", "Wojt", "Mazur", "Krawc", "Sobol", "Jasin", "Lis", "Wit", "Krol",
    "Bogusz", "Chmiel", "Dud", "Gorecz", "Jurk", "Kacz", "Lesz", "Marcin", "Pietrz", "Rak", "Sad",
    "Tomasz", "Urban", "Wasil", "Zaj", "Stach", "Maj", "Grab", "Bartos",
];

const POLISH_TAILS: &[&str] = &[
    "owski", "ewski", "czyk", "ak", "iński", "ek", "owicz", "ewicz", "iak", "ik", "ecki", "owiak",
];

const SLAVIC_HEADS: &[&str] = &[
    "Ivan", "Petr", "Smirn", "Kuznets", "Pop", "Sokol", "Lebed", "Kozl", "Novik", "Moroz", "Volk",
    "Vasil", "Pavl", "Semen", "Golub", "Bogdan", "Fedor", "Taras", "Bel", "Koval", "Orl", "Makar",
    "Andre", "Zakhar", "Grom", "Yegor", "Kirill", "Denis", "Boris", "Gus",
];

const SLAVIC_TAILS: &[&str] = &["ov", "ev", "in", "enko", "uk", "sky", "chuk", "ovich"];

const TURKISH_HEADS: &[&str] = &[
    "Ak", "Kara", "Öz", "Yıl", "Gün", "Demir", "Er", "Kaya", "Ay", "Tan", "Bal", "Çak", "Gök",
    "Ser", "Kurt", "Taş", "Ata", "Bay", "Ateş", "Bozkurt",
];

const TURKISH_TAILS: &[&str] = &[
    "dağ", "soy", "oğlu", "türk", "kan", "men", "ci", "er", "dem", "han", "taş", "alp", "yol", "ay",
];

const INDIAN_HEADS: &[&str] = &[
    "Venkata", "Rama", "Krishna", "Subra", "Bala", "Gopala", "Sri", "Nara", "Raja", "Siva",
    "Chandra", "Sundar", "Ananth", "Hari", "Vijaya", "Padma", "Surya", "Shankar", "Mahadev",
    "Ragha", "Jagan", "Viswa", "Sesha", "Kesava",
];

const INDIAN_TAILS: &[&str] = &[
    "murthy",
    "swamy",
    "raman",
    "krishnan",
    "rao",
    "reddy",
    "nathan",
    "kumar",
    "sekhar",
    "rajan",
    "chari",
    "appa",
    "samy",
    "narayanan",
    "iah",
    "van",
];

const INDIAN_FIRST_HEADS: &[&str] = &[
    "Ravi", "Jaya", "Shiva", "Rama", "Hari", "Vijay", "Surya", "Chandra", "Deva", "Sri", "Raj",
    "Prem", "Gopal", "Anand", "Uma", "Satya", "Shashi", "Jai", "Kamal", "Shyam",
];

const INDIAN_FIRST_TAILS: &[&str] = &[
    "kumar", "shankar", "prakash", "raj", "nath", "dev", "kant", "krishna", "mohan", "pal", "esh",
    "ender", "deep", "lata",
];

const YORUBA_HEADS: &[&str] = &[
    "Ade", "Olu", "Oke", "Ogun", "Ola", "Oye", "Aki", "Baba", "Afo", "Ayo", "Ige", "Ode", "Fola",
    "Kola", "Tolu", "Bola", "Ala", "Oso",
];

const YORUBA_TAILS: &[&str] = &[
    "yemi", "wale", "leke", "bayo", "bisi", "tunde", "sina", "kunle", "labi", "femi", "seun",
    "dele", "yinka", "lade",
];

const ARABIC_FIRST_HEADS: &[&str] = &["Abdel", "Abdul", "Abd al-"];

const ARABIC_FIRST_TAILS: &[&str] = &[
    "rahman", "aziz", "karim", "hamid", "latif", "majid", "nasser", "qader", "wahab", "fattah",
    "halim", "hakim", "rahim", "salam", "ghani",
];

const VIETNAMESE_MIDDLE: &[&str] = &[
    "Van ", "Thi ", "Duc ", "Minh ", "Ngoc ", "Thanh ", "Quoc ", "Hoang ", "Gia ", "Bao ", "Thu ",
    "Kim ",
];

const ARABIC_HEADS: &[&str] = &["Al-", "El-", "Al "];

const ARABIC_TAILS: &[&str] = &[
    "Masri", "Khatib", "Hashimi", "Rashid", "Amin", "Najjar", "Haddad", "Tamimi", "Zahrani",
    "Ghamdi", "Otaibi", "Qahtani", "Shehri", "Harbi", "Mutairi", "Dosari", "Farsi", "Hakim",
    "Jabri", "Kurdi", "Sharif", "Nuaimi", "Mansouri", "Ansari", "Baghdadi", "Halabi", "Shami",
    "Tikriti", "Zoubi", "Khalil",
];

const JAPANESE_HEADS: &[&str] = &[
    "Yama", "Naka", "Taka", "Matsu", "Ishi", "Kawa", "Mori", "Hashi", "Fuji", "Oka", "Kita",
    "Nishi", "Hira", "Shima", "Tani", "Hara", "Saku", "Miya", "Kuro", "Shira",
];

const JAPANESE_TAILS: &[&str] = &[
    "moto", "mura", "da", "kawa", "saki", "yama", "shita", "uchi", "no", "ta", "hara", "zawa",
    "guchi", "bayashi", "oka", "ki",
];

const CHINESE_HEADS: &[&str] = &[
    "Zi", "Yu", "Hao", "Xin", "Jia", "Yi", "Ming", "Wen", "Jun", "Hui", "Xiao", "Tian", "Chen",
    "Yang", "Rui", "Qi", "Lan", "Mei", "Ling", "Ting", "Jie", "Bo", "Kai", "Lei", "Fei", "Shu",
    "Ya", "Han", "Xuan", "Yan",
];

const CHINESE_TAILS: &[&str] = &[
    "han", "xuan", "ting", "yi", "ming", "hao", "jie", "wen", "lin", "yu", "qing", "rui", "fei",
    "bo", "lan", "na", "xin", "jun", "long", "hua",
];

const KOREAN_HEADS: &[&str] = &[
    "Min", "Ji", "Seo", "Ha", "Do", "Joon", "Hyun", "Eun", "Sung", "Young", "Jae", "Soo", "Yu",
    "Ye", "Dong", "Sang", "Hye", "Jin", "Tae", "Woo",
];

const KOREAN_TAILS: &[&str] = &[
    "-jun", "-woo", "-yeon", "-eun", "-yun", "-ho", "-min", "-ji", "-ah", "-bin", "-hoon", "-jin",
    "-na", "-seo", "-young", "-won",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_culture_has_a_real_pool() {
        let names = Names::new();
        for h in ALL {
            let pool = &names.pools[h as usize];
            assert!(pool.first.len() >= 20, "{h:?} first names");
            assert!(pool.last.len() >= 20, "{h:?} last names");
        }
    }

    #[test]
    fn nicknames_belong_to_names_people_carry() {
        // A nickname entry whose formal name no pool holds would never be used.
        let names = Names::new();
        for (formal, _) in NICKNAMES {
            assert!(
                names.pools.iter().any(|p| p.first.contains(formal)),
                "{formal} is in no pool"
            );
        }
    }

    #[test]
    fn respelling_writes_out_umlauts_and_swaps_transliterations() {
        let names = Names::new();
        let mut rng = Rng::new(1);
        let slavic = Heritage::EastSlavic;
        let respell = |name: &str, h: Heritage, rng: &mut Rng| names.respell(name, h, rng);
        assert_eq!(
            respell("Müller", Heritage::German, &mut rng).as_deref(),
            Some("Mueller")
        );
        assert_eq!(
            respell("Søren", Heritage::Danish, &mut rng).as_deref(),
            Some("Soeren")
        );
        let sergey = respell("Sergey", slavic, &mut rng).unwrap();
        assert!(sergey.starts_with("Serg") && sergey != "Sergey", "{sergey}");
        assert_ne!(
            respell("Aleksandr", slavic, &mut rng).as_deref(),
            Some("Aleksandr")
        );
        assert_eq!(
            respell("Nguyen", Heritage::Vietnamese, &mut rng).as_deref(),
            Some("Nguyễn")
        );
        assert_eq!(
            respell("José", Heritage::Hispanic, &mut rng).as_deref(),
            Some("Jose")
        );
        assert_eq!(respell("Julia", Heritage::German, &mut rng), None);
        assert_eq!(respell("Smith", Heritage::Anglo, &mut rng), None);
    }

    #[test]
    fn catalog_cultures_map_to_their_heritage() {
        assert_eq!(Heritage::of(&catalog::GERMAN), Heritage::German);
        assert_eq!(Heritage::of(&catalog::VIETNAMESE), Heritage::Vietnamese);
    }
}
