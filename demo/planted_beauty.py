"""Planted stories of cosmetics customers (Japanese records) and the questions about them."""

# ruff: noqa: E501 -- record texts are prose data; breaking them mid-sentence helps no reader.

from __future__ import annotations

from datetime import date

from demo.plan import Plan


def _name(plan: Plan, profile: str, exclude: set[str], source: str = "demo-ec"):  # type: ignore[no-untyped-def]
    c = plan.population.person(source, profile)
    c.exclude_topics |= exclude
    return c


def skin_refund(plan: Plan) -> None:
    c = _name(plan, "loyal", {"return_exchange", "payment", "review", "survey", "ingredient"})
    o = plan.order(c, date(2026, 9, 2), "HK-SR-01")
    a = plan.note(
        c,
        "inquiry",
        "support",
        "web_form",
        date(2026, 9, 8),
        c.record["name"],
        "肌荒れについて",
        f"9月2日に届いたビタミンC美容液(注文番号{o['order_number']})を使い始めて3日目から、両頬に赤みとかゆみが出ました。"
        "すぐに使うのをやめて皮膚科に行ったところ、接触皮膚炎と言われました。今は薬を塗って落ち着いてきています。"
        "開封済みですが、返品や返金はしていただけるのでしょうか。",
        status="resolved",
    )
    b = plan.note(
        c,
        "email",
        "support",
        "email",
        date(2026, 9, 10),
        "サポート 川村",
        "Re: 肌荒れについて",
        f"{c.family}様\nこのたびはお肌に合わず、ご不快な思いをおかけし誠に申し訳ございません。"
        "全額返金保証の対象として、ビタミンC美容液のご購入代金6,600円を9月12日付でご利用のクレジットカードへ返金いたしました。"
        "商品のご返送は不要です。お大事になさってください。次回のお届けには敏感肌用バリアクリームのサンプルをお入れします。",
        status="resolved",
    )
    plan.plant(
        "skin-reaction-refund",
        c,
        "Skin reaction (redness, itching) to the vitamin C serum; "
        "refunded in full (6,600 yen) under the 30-day guarantee",
        [a, b],
        {
            "product": "花暦 ビタミンC美容液 30mL",
            "order_number": o["order_number"],
            "refund_amount_jpy": 6600,
            "refund_date": "2026-09-12",
        },
        ["赤み", "かゆみ", "返金", "6,600円"],
        ["rash", "redness", "refund", "6,600"],
    )
    plan.ask(
        "ja-skin-refund",
        "この方の肌トラブルの件は最終的にどう対応しましたか？",
        "ja",
        "ja",
        c,
        [a, b],
    )
    plan.ask(
        "x-skin-refund",
        "Did we reimburse this customer after the serum irritated her skin?",
        "en",
        "cross",
        c,
        [a, b],
    )
    plan.cannot("この方の誕生日はいつですか？", "ja", c)


def pump_defect(plan: Plan) -> None:
    c = _name(plan, "loyal", {"return_exchange", "usage"})
    days = [date(2025, 12, 14), date(2026, 4, 3), date(2026, 8, 21)]
    o = [plan.order(c, d.replace(day=1), "HK-LT-01") for d in days]
    r1 = plan.note(
        c,
        "inquiry",
        "support",
        "web_form",
        days[0],
        c.record["name"],
        "ポンプが戻らない",
        f"12月1日に届いたしっとり化粧水({o[0]['order_number']})のポンプが、押したまま戻ってきません。"
        "何度か押してみましたが、液もほとんど出てきません。交換していただけますか。",
        status="resolved",
    )
    r2 = plan.note(
        c,
        "chat",
        "support",
        "chat",
        days[1],
        c.record["name"],
        "化粧水の容器",
        "お客様: 先月届いたしっとり化粧水、ノズルから液が出なくなりました。前にも同じことがありました。\n"
        "担当(サポート 大野): ご不便をおかけして申し訳ございません。容器不良として新しい商品を無料でお送りします。",
        status="resolved",
    )
    r3 = plan.note(
        c,
        "email",
        "support",
        "email",
        days[2],
        c.record["name"],
        "またポンプが壊れました",
        f"しっとり化粧水のポンプがまた壊れました。これで3回目です({o[2]['order_number']})。"
        "ボトルの設計に問題があるのではないでしょうか。交換品ではなく、詰め替え用への切り替えを検討しています。",
        status="resolved",
    )
    plan.plant(
        "recurring-pump-defect",
        c,
        "The pump of the moisturising lotion bottle failed three times "
        "(Dec 2025, Apr 2026, Aug 2026); each time replaced free of charge",
        [r1, r2, r3],
        {
            "product": "花暦 薬用しっとり化粧水 150mL",
            "occurrences": 3,
            "dates": [d.isoformat() for d in days],
        },
        ["ポンプ", "3回", "交換"],
        ["pump", "three times", "replacement"],
    )
    plan.ask(
        "ja-pump", "この方のボトルの不具合は今までに何回ありましたか", "ja", "ja", c, [r1, r2, r3]
    )
    plan.ask(
        "x-pump",
        "Has this customer had repeated problems with the lotion dispenser?",
        "en",
        "cross",
        c,
        [r1, r2, r3],
    )


def opt_out(plan: Plan) -> None:
    c = _name(plan, "occasional", {"survey", "points"})
    c.record["email_opt_out"] = True
    a = plan.note(
        c,
        "email",
        "marketing",
        "email",
        date(2026, 6, 30),
        c.record["name"],
        "メール配信停止のお願い",
        "キャンペーンのお知らせメールがほぼ毎日届くので、今後の配信は止めてください。"
        "注文の確認や発送のお知らせは引き続き受け取りたいです。",
        status="resolved",
    )
    b = plan.note(
        c,
        "email",
        "marketing",
        "email",
        date(2026, 7, 1),
        "CS 内田",
        "Re: メール配信停止のお願い",
        f"{c.family}様\nご連絡ありがとうございます。メールマガジンの配信停止を承りました。反映まで最大3日ほどかかります。"
        "ご注文・発送に関するご連絡は今後もお送りいたします。",
        status="resolved",
    )
    plan.plant(
        "marketing-opt-out",
        c,
        "Asked on 2026-06-30 to stop promotional e-mail; opted out (service mail still wanted)",
        [a, b],
        {"email_opt_out": True, "requested_on": "2026-06-30"},
        ["配信停止", "メールマガジン"],
        ["unsubscribe", "opt-out", "marketing e-mail"],
    )
    plan.ask(
        "ja-optout", "この方は販促メールを受け取らない希望を出していますか？", "ja", "ja", c, [a, b]
    )
    plan.ask(
        "x-optout",
        "Did this customer ask us to stop sending newsletters?",
        "en",
        "cross",
        c,
        [a, b],
    )


def delivery_coupon(plan: Plan) -> None:
    c = _name(plan, "occasional", {"delivery_delay"})
    o = plan.order(c, date(2026, 10, 7), "HK-CL-01")
    a = plan.note(
        c,
        "inquiry",
        "support",
        "web_form",
        date(2026, 10, 15),
        c.record["name"],
        "注文品が届きません",
        f"{o['order_number']}で10月7日に注文したクレンジングバームが、予定日の10月10日を過ぎても届きません。"
        "追跡番号を調べても「持ち戻り」になっています。",
        status="resolved",
    )
    b = plan.note(
        c,
        "email",
        "support",
        "email",
        date(2026, 10, 16),
        "サポート 星野",
        "Re: 注文品が届きません",
        f"{c.family}様\n配送業者の仕分けミスにより、お届けが遅れておりました。10月17日午前中にお届けできる見込みです。"
        "ご迷惑をおかけしたお詫びとして、次回のお買い物で使える500円OFFクーポン(コード HANA500)をマイページに付与いたしました。",
        status="resolved",
    )
    plan.plant(
        "late-delivery-coupon",
        c,
        "Parcel delayed by a carrier sorting error; a 500-yen coupon "
        "(HANA500) was given as an apology",
        [a, b],
        {"order_number": o["order_number"], "coupon": "HANA500", "coupon_value_jpy": 500},
        ["クーポン", "500円", "遅延"],
        ["coupon", "500 yen", "delay"],
    )
    plan.ask("ja-coupon", "荷物が遅れた件のお詫びとして何をお渡ししましたか", "ja", "ja", c, [a, b])
    plan.ask(
        "x-coupon", "What did we give her to make up for the late parcel?", "en", "cross", c, [a, b]
    )


def subscription_change(plan: Plan) -> None:
    c = _name(plan, "champion", {"subscription"})
    a = plan.note(
        c,
        "inquiry",
        "support",
        "web_form",
        date(2026, 11, 5),
        c.record["name"],
        "定期便について",
        "毎月届く基本3点セットが使い切れず、洗面台の下に3セット分たまってしまいました。"
        "12月分のお届けはお休みにして、その後は2か月おきのお届けにしてください。",
        status="resolved",
    )
    b = plan.note(
        c,
        "email",
        "support",
        "email",
        date(2026, 11, 6),
        "サポート 川村",
        "Re: 定期便について",
        f"{c.family}様\n12月分のお届けをスキップし、お届け周期を2か月ごとに変更いたしました。"
        "次回のお届けは2027年1月8日の予定です。割引率(10%)は変わりません。",
        status="resolved",
    )
    plan.plant(
        "subscription-skip",
        c,
        "Subscription: December delivery skipped and the cycle changed from "
        "monthly to every two months; next delivery 2027-01-08",
        [a, b],
        {"new_cycle": "every 2 months", "skipped": "2026-12", "next_delivery": "2027-01-08"},
        ["2か月", "スキップ"],
        ["every two months", "skip"],
    )
    plan.ask(
        "ja-subscription", "定期便についてどのような変更の依頼がありましたか", "ja", "ja", c, [a, b]
    )
    plan.ask(
        "x-subscription",
        "What change did she request to her recurring deliveries?",
        "en",
        "cross",
        c,
        [a, b],
    )


def shade_exchange(plan: Plan) -> None:
    c = _name(plan, "occasional", {"shade", "return_exchange", "review", "store_visit"}, "demo-pos")
    a = plan.note(
        c,
        "review",
        "marketing",
        "ec",
        date(2026, 5, 20),
        c.record["name"],
        "色が暗すぎました",
        "オークル03を選びましたが、塗ると顔だけ暗く浮いてしまい、首の色と合いません。カバー力と持ちは良いだけに残念です。",
        rating=2,
    )
    b = plan.note(
        c,
        "store_visit",
        "sales",
        "store",
        date(2026, 5, 24),
        "BA 早川",
        "色味の交換",
        f"{c.family}様ご来店。オークル03が暗いとのことで、フェイスラインで3色を比較。"
        "ライトベージュ01が最もなじむため、未使用分と交換対応。下地にトーンアップUVをおすすめした。",
    )
    plan.plant(
        "foundation-shade-swap",
        c,
        "Foundation Ochre 03 was too dark; exchanged in store for Light Beige 01",
        [a, b],
        {"from": "オークル03", "to": "ライトベージュ01"},
        ["オークル03", "ライトベージュ01", "交換"],
        ["Ochre 03", "Light Beige 01", "exchange"],
    )
    plan.ask(
        "ja-shade",
        "ファンデーションの色が合わなかった件はどう解決しましたか",
        "ja",
        "ja",
        c,
        [a, b],
    )
    plan.ask("x-shade", "Which foundation shade did we swap her to?", "en", "cross", c, [b])


def allergy_answer(plan: Plan) -> None:
    c = _name(plan, "loyal", {"ingredient"})
    a = plan.note(
        c,
        "inquiry",
        "support",
        "web_form",
        date(2026, 2, 11),
        c.record["name"],
        "アレルギーについて",
        "小麦とナッツにアレルギーがあります。椿オイル美容液が気になっているのですが、これらの成分は入っていますか。",
        status="resolved",
    )
    b = plan.note(
        c,
        "email",
        "support",
        "email",
        date(2026, 2, 12),
        "サポート 大野",
        "Re: アレルギーについて",
        f"{c.family}様\n椿オイル美容液には小麦およびナッツ由来の原料は配合しておりません。ただし同じ工場でナッツ油を含む製品も製造しております。"
        "ご不安な場合はパッチテストを行い、主治医にご相談ください。",
        status="resolved",
    )
    plan.plant(
        "allergen-answer",
        c,
        "Asked about wheat and nut allergens in the camellia oil serum; told "
        "none are used, but the factory also handles nut oil",
        [a, b],
        {"product": "花暦 ボタニカル 椿オイル美容液 20mL", "allergens": ["wheat", "nuts"]},
        ["小麦", "ナッツ"],
        ["wheat", "nut"],
    )
    plan.ask(
        "ja-allergy",
        "アレルギーの問い合わせに対して、こちらはどう答えましたか",
        "ja",
        "ja",
        c,
        [b, a],
    )
    plan.ask(
        "x-allergy",
        "What did we tell her about allergens in the camellia oil serum?",
        "en",
        "cross",
        c,
        [b, a],
    )


def counselling(plan: Plan) -> None:
    c = _name(plan, "loyal", set(), "demo-pos")
    c.exclude_topics |= {"store_visit"}
    a = plan.note(
        c,
        "store_visit",
        "sales",
        "store",
        date(2026, 10, 3),
        "BA 宮本",
        "肌測定",
        f"{c.family}様ご来店。肌測定で水分量31%と低め、油分は18%。夜の保湿が足りていないため、"
        "リペアクリームを夜だけ追加し、洗顔は泡洗顔に変えることをおすすめ。11月3日頃に再測定のお約束。",
    )
    plan.plant(
        "skin-counselling",
        c,
        "Store skin check showed low hydration (31%); advisor recommended the "
        "night repair cream and the foam cleanser; re-measure around 2026-11-03",
        [a],
        {"hydration_pct": 31, "recommended": ["花暦 夜のリペアクリーム 50g", "花暦 泡洗顔 150mL"]},
        ["リペアクリーム", "泡洗顔"],
        ["repair cream", "foam cleanser"],
    )
    plan.ask("ja-counsel", "店頭での肌チェックの後、何をすすめましたか", "ja", "ja", c, [a])
    plan.ask(
        "x-counsel",
        "What did the beauty advisor recommend after measuring her skin?",
        "en",
        "cross",
        c,
        [a],
    )


def wedding_gift(plan: Plan) -> None:
    c = _name(plan, "occasional", {"gift"})
    a = plan.note(
        c,
        "inquiry",
        "support",
        "web_form",
        date(2026, 3, 2),
        c.record["name"],
        "結婚祝いの包装",
        "友人の結婚祝いにボディローションとハンドクリームを贈ります。のしは結び切りで表書きは「寿」、"
        "名前は入れずにお願いします。金額の分かる明細は入れないでください。",
        status="resolved",
    )
    plan.plant(
        "wedding-gift-wrap",
        c,
        "Wedding gift: noshi with a musubikiri knot and 寿, no name, no price slip",
        [a],
        {"noshi": "結び切り", "inscription": "寿"},
        ["結び切り", "寿"],
        ["wedding", "gift wrap"],
    )
    plan.ask(
        "ja-wedding", "お祝いの品の包み方について、どんな希望がありましたか", "ja", "ja", c, [a]
    )
    plan.ask(
        "x-wedding",
        "What kind of gift wrapping did she ask for the wedding present?",
        "en",
        "cross",
        c,
        [a],
    )


def scent_praise(plan: Plan) -> None:
    c = _name(plan, "loyal", set())
    c.exclude_topics |= {"review"}
    a = plan.note(
        c,
        "review",
        "marketing",
        "ec",
        date(2026, 7, 28),
        c.record["name"],
        "夏の癒やし",
        "ゆずボディローションの香りが本当に好きです。お風呂上がりに塗ると部屋中が柑橘の香りになって、一日の疲れが取れます。"
        "夏でもべたつかないのも嬉しい。",
        rating=5,
    )
    plan.ask("ja-scent", "この方が香りをとても気に入っていた商品はどれですか", "ja", "ja", c, [a])
    plan.ask(
        "x-scent", "Which product's fragrance did this customer rave about?", "en", "cross", c, [a]
    )


def dormant_reason(plan: Plan) -> None:
    c = _name(plan, "dormant", {"review"})
    c.exclude_topics |= {"survey"}
    a = plan.note(
        c,
        "survey",
        "success",
        "web",
        date(2026, 1, 18),
        c.record["name"],
        "購入後アンケート回答",
        "総合満足度: 3/5。商品に不満はありませんが、忙しくて何本も塗る時間がないので、"
        "最近はドラッグストアのオールインワンゲルに切り替えました。",
        rating=3,
    )
    plan.plant(
        "dormant-switched",
        c,
        "Dormant customer: said she switched to a drugstore all-in-one gel "
        "because she has no time for several steps",
        [a],
        {"reason": "switched to all-in-one gel"},
        ["オールインワン"],
        ["all-in-one", "switched"],
    )
    plan.ask("ja-dormant", "この方が買わなくなった理由は分かりますか", "ja", "ja", c, [a])
    plan.ask("x-dormant", "Why did this customer stop buying from us?", "en", "cross", c, [a])


SCENARIOS = [
    skin_refund,
    pump_defect,
    opt_out,
    delivery_coupon,
    subscription_change,
    shade_exchange,
    allergy_answer,
    counselling,
    wedding_gift,
    scent_praise,
    dormant_reason,
]
