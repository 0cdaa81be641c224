"""The two product catalogues: 花暦 HANAKOYOMI skin care and Sorano Systems software."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    """One SKU as the generator uses it (turned into a canonical product record on export)."""

    sku: str
    name: str
    short: str  # how customers and staff call it in texts
    category: str
    brand: str
    taste: str | None  # scent or shade for cosmetics, plan tier for software
    price: int  # yen, tax included
    cost: int

    def record(self) -> dict[str, object]:
        """The canonical product record (contracts: product)."""
        return {
            "external_id": self.sku,
            "name": self.name,
            "category": self.category,
            "brand": self.brand,
            "taste": self.taste,
            "unit_price": self.price,
            "unit_cost": self.cost,
            "attributes": {"short_name": self.short},
        }


def _beauty(
    sku: str, name: str, short: str, category: str, brand: str, taste: str | None, price: int
) -> Product:
    # Cosmetics cost of goods runs at roughly a quarter to a third of the shelf price.
    cost = round(price * (0.24 + (sum(map(ord, sku)) % 10) / 100))
    return Product(sku, name, short, category, brand, taste, price, cost)


BEAUTY: list[Product] = [
    _beauty(
        "HK-LT-01",
        "花暦 薬用しっとり化粧水 150mL",
        "しっとり化粧水",
        "化粧水",
        "花暦",
        "無香料",
        3300,
    ),
    _beauty("HK-LT-02", "花暦 ゆず香る化粧水 150mL", "ゆず化粧水", "化粧水", "花暦", "ゆず", 3520),
    _beauty(
        "HK-LT-03",
        "花暦 ボタニカル ローズ化粧水 200mL",
        "ローズ化粧水",
        "化粧水",
        "花暦 ボタニカル",
        "ローズ",
        4180,
    ),
    _beauty("HK-ML-01", "花暦 うるおい乳液 120mL", "うるおい乳液", "乳液", "花暦", "無香料", 3520),
    _beauty(
        "HK-ML-02",
        "花暦 ボタニカル ラベンダー乳液 120mL",
        "ラベンダー乳液",
        "乳液",
        "花暦 ボタニカル",
        "ラベンダー",
        3960,
    ),
    _beauty(
        "HK-SR-01", "花暦 ビタミンC美容液 30mL", "ビタミンC美容液", "美容液", "花暦", "無香料", 6600
    ),
    _beauty(
        "HK-SR-02",
        "花暦 ナイアシンアミド美容液 30mL",
        "ナイアシンアミド美容液",
        "美容液",
        "花暦",
        "無香料",
        5940,
    ),
    _beauty(
        "HK-SR-03",
        "花暦 ボタニカル 椿オイル美容液 20mL",
        "椿オイル",
        "美容液",
        "花暦 ボタニカル",
        "椿",
        4950,
    ),
    _beauty(
        "HK-CR-01",
        "花暦 夜のリペアクリーム 50g",
        "リペアクリーム",
        "クリーム",
        "花暦",
        "白檀",
        7150,
    ),
    _beauty(
        "HK-CR-02",
        "花暦 敏感肌用バリアクリーム 40g",
        "バリアクリーム",
        "クリーム",
        "花暦",
        "無香料",
        4400,
    ),
    _beauty(
        "HK-CL-01",
        "花暦 とろけるクレンジングバーム 90g",
        "クレンジングバーム",
        "クレンジング",
        "花暦",
        "ゆず",
        3080,
    ),
    _beauty("HK-CL-02", "花暦 泡洗顔 150mL", "泡洗顔", "洗顔", "花暦", "無香料", 1980),
    _beauty(
        "HK-UV-01", "花暦 UVミルク SPF50+ 50mL", "UVミルク", "日焼け止め", "花暦", "無香料", 2860
    ),
    _beauty(
        "HK-UV-02",
        "花暦 トーンアップUV 40g",
        "トーンアップUV",
        "日焼け止め",
        "花暦",
        "ラベンダー",
        3190,
    ),
    _beauty(
        "HK-FD-01",
        "ルミエール リキッドファンデーション ライトベージュ01",
        "リキッドファンデ",
        "ファンデーション",
        "ルミエール",
        "ライトベージュ01",
        4620,
    ),
    _beauty(
        "HK-FD-02",
        "ルミエール リキッドファンデーション ナチュラル02",
        "リキッドファンデ",
        "ファンデーション",
        "ルミエール",
        "ナチュラル02",
        4620,
    ),
    _beauty(
        "HK-FD-03",
        "ルミエール リキッドファンデーション オークル03",
        "リキッドファンデ",
        "ファンデーション",
        "ルミエール",
        "オークル03",
        4620,
    ),
    _beauty(
        "HK-LP-01",
        "ルミエール ティントリップ 桜ピンク",
        "ティントリップ",
        "リップ",
        "ルミエール",
        "桜ピンク",
        2420,
    ),
    _beauty(
        "HK-LP-02",
        "ルミエール ティントリップ テラコッタ",
        "ティントリップ",
        "リップ",
        "ルミエール",
        "テラコッタ",
        2420,
    ),
    _beauty(
        "HK-BD-01",
        "花暦 ゆずボディローション 250mL",
        "ゆずボディローション",
        "ボディケア",
        "花暦",
        "ゆず",
        2750,
    ),
    _beauty(
        "HK-BD-02",
        "花暦 白檀ハンドクリーム 50g",
        "ハンドクリーム",
        "ボディケア",
        "花暦",
        "白檀",
        1650,
    ),
    _beauty(
        "HK-MN-01",
        "SORA MEN オールインワンジェル 100g",
        "オールインワンジェル",
        "メンズ",
        "SORA MEN",
        "シトラス",
        3300,
    ),
    _beauty(
        "HK-MN-02",
        "SORA MEN 薬用洗顔フォーム 130g",
        "メンズ洗顔",
        "メンズ",
        "SORA MEN",
        "シトラス",
        1540,
    ),
    _beauty(
        "HK-ST-01",
        "花暦 トライアルセット 7日分",
        "トライアルセット",
        "セット",
        "花暦",
        "無香料",
        1100,
    ),
    _beauty(
        "HK-ST-02", "花暦 定期便 基本3点セット", "定期便セット", "定期便", "花暦", "無香料", 8800
    ),
]

# Pairs often bought together (drives the basket analysis in the demo).
BEAUTY_COMPANIONS: dict[str, list[str]] = {
    "HK-LT-01": ["HK-ML-01", "HK-CL-02"],
    "HK-LT-02": ["HK-BD-01", "HK-CL-01"],
    "HK-LT-03": ["HK-ML-02", "HK-SR-03"],
    "HK-SR-01": ["HK-UV-01", "HK-LT-01"],
    "HK-FD-01": ["HK-UV-02", "HK-LP-01"],
    "HK-FD-02": ["HK-UV-02", "HK-LP-02"],
    "HK-CL-01": ["HK-CL-02"],
    "HK-MN-01": ["HK-MN-02"],
}

SOFTWARE: list[Product] = [
    Product(
        "SD-STD-SEAT",
        "SoranoDesk Standard (seat/year)",
        "SoranoDesk Standard",
        "licence",
        "SoranoDesk",
        "Standard",
        18000,
        3600,
    ),
    Product(
        "SD-PRO-SEAT",
        "SoranoDesk Professional (seat/year)",
        "SoranoDesk Professional",
        "licence",
        "SoranoDesk",
        "Professional",
        30000,
        5400,
    ),
    Product(
        "SD-ENT-SEAT",
        "SoranoDesk Enterprise (seat/year)",
        "SoranoDesk Enterprise",
        "licence",
        "SoranoDesk",
        "Enterprise",
        48000,
        8600,
    ),
    Product(
        "SD-SSO",
        "SSO / SAML add-on (year)",
        "SSO add-on",
        "add-on",
        "SoranoDesk",
        None,
        240000,
        24000,
    ),
    Product(
        "SS-KINTONE",
        "SoranoSync connector for kintone (year)",
        "kintone connector",
        "add-on",
        "SoranoSync",
        None,
        360000,
        54000,
    ),
    Product(
        "SS-SFDC",
        "SoranoSync connector for Salesforce (year)",
        "Salesforce connector",
        "add-on",
        "SoranoSync",
        None,
        480000,
        72000,
    ),
    Product(
        "SV-ONBOARD",
        "Onboarding package (implementation)",
        "onboarding package",
        "service",
        "Sorano Services",
        None,
        800000,
        480000,
    ),
    Product(
        "SV-TRAIN",
        "Admin training day (on-site)",
        "training day",
        "service",
        "Sorano Services",
        None,
        220000,
        120000,
    ),
    Product(
        "SP-PREMIUM",
        "Premium support (year)",
        "premium support",
        "support",
        "Sorano Services",
        None,
        600000,
        240000,
    ),
]

BY_SKU: dict[str, Product] = {p.sku: p for p in BEAUTY + SOFTWARE}
