"""Made-up customers in two locales: US English and mainland-China Chinese names, addresses, phones.

Everything is drawn from the caller's `random.Random`, so a seed always yields the same people.
Phone numbers use ranges reserved for fiction (US 555-01xx is too small, so 555-xxxx overall).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

US_FIRST = (
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Carlos",
    "Emma",
    "Noah",
    "Olivia",
    "Liam",
    "Ava",
    "Ethan",
    "Sofia",
    "Mason",
    "Isabella",
    "Lucas",
    "Mia",
    "Aiden",
    "Harper",
    "Yusuf",
    "Amara",
    "Mei",
    "Raj",
)
US_LAST = (
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Kim",
    "Nguyen",
    "Patel",
    "Walker",
    "Hall",
    "Young",
    "Allen",
)
US_STREETS = (
    "Main St",
    "Oak Ave",
    "Maple Dr",
    "Cedar Ln",
    "Pine St",
    "Elm St",
    "Washington Ave",
    "Lake Rd",
    "Hillside Dr",
    "Sunset Blvd",
    "Park Pl",
    "River Rd",
    "Highland Ave",
    "Broadway",
)
# city, state, zip prefix (3 digits), area code
US_CITIES = (
    ("San Francisco", "CA", "941", "415"),
    ("Los Angeles", "CA", "900", "213"),
    ("New York", "NY", "100", "212"),
    ("Seattle", "WA", "981", "206"),
    ("Austin", "TX", "787", "512"),
    ("Chicago", "IL", "606", "312"),
    ("Denver", "CO", "802", "303"),
    ("Boston", "MA", "021", "617"),
    ("Atlanta", "GA", "303", "404"),
    ("Miami", "FL", "331", "305"),
    ("Portland", "OR", "972", "503"),
)

# (hanzi, pinyin): the hanzi go into the name fields, the pinyin into ids and emails.
ZH_SURNAMES = (
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("黄", "huang"),
    ("赵", "zhao"),
    ("吴", "wu"),
    ("周", "zhou"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("马", "ma"),
    ("朱", "zhu"),
    ("胡", "hu"),
    ("郭", "guo"),
    ("何", "he"),
    ("林", "lin"),
)
ZH_GIVEN = (
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("洋", "yang"),
    ("勇", "yong"),
    ("艳", "yan"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀英", "xiuying"),
    ("霞", "xia"),
    ("子涵", "zihan"),
    ("浩然", "haoran"),
    ("欣怡", "xinyi"),
    ("宇轩", "yuxuan"),
)
ZH_STREETS = ("南京西路", "中山路", "人民路", "解放路", "建国路", "淮海中路", "长安街", "天河路", "文三路", "春熙路")
# city, province, postcode prefix (3 digits)
ZH_CITIES = (
    ("上海", "上海市", "200"),
    ("北京", "北京市", "100"),
    ("广州", "广东省", "510"),
    ("深圳", "广东省", "518"),
    ("杭州", "浙江省", "310"),
    ("成都", "四川省", "610"),
    ("南京", "江苏省", "210"),
    ("武汉", "湖北省", "430"),
)
ZH_MOBILE_PREFIXES = ("130", "135", "138", "139", "150", "158", "186", "188")


@dataclass(frozen=True)
class Person:
    customer_id: str
    first_name: str
    last_name: str
    email: str
    phone: str
    language: str
    line1: str
    city: str
    region: str
    country: str
    postcode: str


def make_person(rng: random.Random, number: int, chinese: bool) -> Person:
    """One customer; `number` makes the id and email unique."""
    return _chinese(rng, number) if chinese else _american(rng, number)


def _american(rng: random.Random, number: int) -> Person:
    first, last = rng.choice(US_FIRST), rng.choice(US_LAST)
    city, state, zip_prefix, area = rng.choice(US_CITIES)
    handle = f"{first.lower()}_{last.lower()}_{number}"
    return Person(
        customer_id=handle,
        first_name=first,
        last_name=last,
        email=f"{first.lower()}.{last.lower()}{number}@example.com",
        phone=f"+1 {area}-555-{rng.randrange(10000):04d}",
        language="en",
        line1=f"{rng.randint(1, 9999)} {rng.choice(US_STREETS)}",
        city=city,
        region=state,
        country="US",
        postcode=f"{zip_prefix}{rng.randrange(100):02d}",
    )


def _chinese(rng: random.Random, number: int) -> Person:
    (surname, surname_py), (given, given_py) = rng.choice(ZH_SURNAMES), rng.choice(ZH_GIVEN)
    city, province, post_prefix = rng.choice(ZH_CITIES)
    mobile = f"{rng.choice(ZH_MOBILE_PREFIXES)} {rng.randrange(10000):04d} {rng.randrange(10000):04d}"
    return Person(
        customer_id=f"{given_py}_{surname_py}_{number}",
        first_name=given,
        last_name=surname,
        email=f"{given_py}.{surname_py}{number}@example.cn",
        phone=f"+86 {mobile}",
        language="zh",
        line1=f"{rng.choice(ZH_STREETS)} {rng.randint(1, 2000)} 号",
        city=city,
        region=province,
        country="CN",
        postcode=f"{post_prefix}{rng.randrange(1000):03d}",
    )
