"""Japanese records of the software vendor: 商談メモ, 電話, メール and サポートチケット."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from random import Random

from demo.common import ja_date, join_ja, maybe, pick, some
from demo.texts_b2b_en import B2BCtx, Text


def _meeting(r: Random, c: B2BCtx) -> Text:
    due = c.when + timedelta(days=r.randint(5, 21))
    lines = [
        f"出席: {c.company} {c.contact}様({c.role})、当社 {c.staff}。",
        pick(
            r,
            [
                "議題: 利用状況の振り返りと来期の計画。",
                "議題: 第2サポート窓口への展開。",
                "議題: 定例ミーティング(四半期)。",
                "議題: レポート要件と管理者向けトレーニング。",
            ],
        ),
        *some(
            r,
            [
                "現在{plan}を{seats}席で利用中、週次アクティブ率は約{pct}%。",
                "問い合わせ件数は春以降{g}%増加、メール経由が大半とのこと。",
                "地域別のSLAレポートを出したいとの要望あり。ダッシュボードの定期配信が可能か確認したいとのこと。",
                "来期から大阪拠点の{extra}名を追加する可能性あり。",
                "{conn}連携は稼働中。ステータス項目を双方向で同期したいとの要望。",
                "来年度予算は{m}月に確定予定。稟議には相見積もりが必要。",
                "現場からはマクロ機能が好評、管理者からはレポート作成が重いとの声。",
            ],
            2,
            4,
            plan=c.plan,
            seats=c.seats,
            pct=r.randint(55, 95),
            g=r.randint(8, 40),
            extra=r.choice([10, 15, 20, 30]),
            conn=c.connector,
            m=r.choice([1, 2, 3]),
        ),
        "次のアクション: "
        + pick(
            r,
            [
                "{s}より管理者トレーニングのアジェンダを{d}までに共有。",
                "ダッシュボード定期配信のロードマップを確認し{d}までに回答。",
                "先方にて展開対象人数を{d}までに確定。",
                "{d}の週にフォローアップ会議を設定。",
            ],
            s=c.staff.split()[1],
            d=ja_date(due, r),
        ),
    ]
    return pick(
        r, ["{co} 定例MTG", "商談メモ({co})", "{co} 打ち合わせ記録"], co=c.company
    ), "\n".join(lines)


def _call(r: Random, c: B2BCtx) -> Text:
    body = join_ja(
        [
            pick(
                r,
                ["{n}様({role})と電話。", "{n}様より入電。", "{n}様へ架電。"],
                n=c.contact,
                role=c.role,
            ),
            pick(
                r,
                [
                    "契約期間途中の席追加について質問あり。日割り計算で請求される旨を説明。",
                    "導入状況を確認。オペレーターの{p}%が一度以上ログイン済み。",
                    "直近2件のチケットの回答が遅いとのご指摘。専任窓口の設置を希望。",
                    "監査ログ機能のため{plan}から上位プランへの変更を検討中。",
                    "年間一括払いの条件について確認したいとのこと。",
                ],
                p=r.randint(40, 90),
                plan=c.plan,
            ),
            maybe(
                r,
                0.6,
                [
                    "終始和やかな雰囲気。",
                    "お忙しそうだったので要点のみ。",
                    "決裁は{role}とのこと。",
                ],
                role=c.role,
            ),
            pick(r, ["同日中にフォローメール送付済み。", "来月改めて連絡する。", "CRMに記録。"]),
        ]
    )
    return pick(r, ["電話メモ({co})", "架電記録", "{n}様との通話"], co=c.company, n=c.contact), body


def _mail(r: Random, c: B2BCtx) -> Text:
    body = "\n".join(
        x
        for x in [
            f"{c.company}\n{c.contact}様",
            pick(
                r,
                [
                    "いつもお世話になっております。ソラノシステムズの{s}です。",
                    "お世話になっております。{s}でございます。",
                ],
                s=c.staff.split()[1],
            ),
            pick(
                r,
                [
                    "先日はお時間をいただきありがとうございました。",
                    "{d}のお打ち合わせの件でご連絡いたします。",
                ],
                d=ja_date(c.when - timedelta(days=r.randint(1, 6)), r),
            ),
            pick(
                r,
                [
                    "管理者向けトレーニングの日程が確定しました。ルーティング設定、マクロ、レポートを扱います。",
                    "新しいSLAダッシュボードのリリースノートをお送りします。",
                    "{conn}連携テスト用のサンドボックス環境を月末まで有効にしました。",
                    "ご契約{cap}席のうち{seats}席が割り当て済みです。",
                    "セキュリティチェックシートのご回答を添付いたします。",
                ],
                conn=c.connector,
                seats=c.seats - r.randint(0, 5),
                cap=c.seats,
            ),
            maybe(
                r,
                0.5,
                [
                    "ご不明点がございましたらお気軽にご連絡ください。",
                    "ご都合の良い日時をお知らせください。",
                ],
            ),
            "よろしくお願いいたします。",
        ]
        if x
    )
    return pick(
        r, ["ご連絡", "先日のお打ち合わせのお礼", "トレーニング日程のご案内", "ご利用状況のご報告"]
    ), body


def _ticket(r: Random, c: B2BCtx) -> Text:
    kind = r.choice(["perf", "api", "export", "notify", "sync", "import"])
    detail = {
        "perf": [
            "{d}以降、{team}チームでチケット一覧の表示に{s}秒かかる。",
            "レポートの90日表示がタイムアウトする。",
        ],
        "api": [
            "夜間バッチがREST APIを約{n}回呼んだところでHTTP 429が返る。",
            "データ移行のためAPIの呼び出し上限を一時的に上げたい。",
        ],
        "export": [
            "クローズ済みチケットのCSV出力で件名の日本語が文字化けする。",
            "社内監査のため全データのエクスポートが必要。",
        ],
        "notify": ["{d}から担当割り当てのメール通知が届かない。", "Slack通知が返信ごとに2通届く。"],
        "sync": [
            "{conn}で作成したレコードが一部SoranoDeskに反映されない(約{n}件)。",
            "{conn}同期のたびに優先度の項目マッピングが初期化される。",
        ],
        "import": [
            "ユーザー一括登録で{n}行が「無効なロール」エラーになる。",
            "旧システムのアーカイブ取り込みでカスタム項目が消えた。",
        ],
    }[kind]
    body = join_ja(
        [
            pick(
                r,
                detail,
                d=ja_date(c.when - timedelta(days=r.randint(1, 5)), r),
                s=r.randint(8, 30),
                team=r.choice(["請求", "一次対応", "大阪", "夜間"]),
                n=r.randint(40, 900),
                conn=c.connector,
            ),
            pick(
                r,
                ["{n}様より報告。", "ポータル経由で{n}様が起票。", "{n}様からの電話で受付。"],
                n=c.contact,
            ),
            pick(
                r,
                [
                    "原因は{cause}。修正し、先方で確認済み。",
                    "回避策を案内済み。恒久対応は次回リリース予定。",
                    "開発へエスカレーション(ENG-{eng})。",
                    "キャッシュされたフィルタを削除して解消、先方確認済み。",
                ],
                cause=r.choice(
                    [
                        "アップグレード後のインデックス欠落",
                        "OAuthトークンの期限切れ",
                        "管理者が作成したマッピングルール",
                        "CSV出力の文字コード不具合",
                    ]
                ),
                eng=r.randint(1200, 4800),
            ),
        ]
    )
    return pick(r, ["【{k}】{co}", "問い合わせ: {k}", "{k}の不具合"], k=kind, co=c.company), body


TOPICS_JA: dict[str, tuple[str, str, Callable[[Random, B2BCtx], Text]]] = {
    "meeting": ("meeting_note", "sales", _meeting),
    "call": ("call", "success", _call),
    "email": ("email", "success", _mail),
    "ticket": ("ticket", "support", _ticket),
}
