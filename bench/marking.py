"""How fast the marking engine is: `python bench/marking.py [--runs N]`.

Builds a realistic mark scheme (6 key points of about 6 phrases, 2 misconceptions), makes a
deterministic answer of about 300 words, and times building the scheme and marking the
answer, cold (each answer word seen for the first time) and warm (as a class's answers are).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import argparse  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

from lessons.marking import Criterion, MarkScheme, mark_answer  # noqa: E402

POINTS = [
    Criterion(
        key="saved-petrograd",
        marks=1,
        text="The Bolsheviks were seen as the saviours of Petrograd.",
        phrases=(
            "bolsheviks saved petrograd",
            "defended the city",
            "bolsheviks defended petrograd",
            "saviours of the revolution",
            "protected petrograd from kornilov",
            "credited with stopping kornilov",
        ),
    ),
    Criterion(
        key="armed-red-guards",
        text="Kerensky armed the Red Guards, who kept their weapons.",
        phrases=(
            "kerensky armed the red guards",
            "workers were given weapons",
            "red guards kept their rifles",
            "armed the workers",
            "released bolshevik prisoners",
            "trotsky released from prison",
        ),
    ),
    Criterion(
        key="kerensky-discredited",
        text="Kerensky was discredited with both left and right.",
        phrases=(
            "kerensky lost support",
            "kerensky was discredited",
            "provisional government looked weak",
            "government seemed weak",
            "trust in kerensky collapsed",
            "army officers turned against kerensky",
        ),
    ),
    Criterion(
        key="soviet-majority",
        marks=2,
        text="The Bolsheviks won majorities in the Petrograd and Moscow soviets.",
        phrases=(
            "majority in the petrograd soviet",
            "won control of the soviets",
            "trotsky became chairman",
            "bolshevik majority in moscow",
            "soviet elections went bolshevik",
            "gained seats in the soviet",
        ),
    ),
    Criterion(
        key="army-deserted",
        text="Soldiers deserted and the army stopped obeying its officers.",
        phrases=(
            "soldiers deserted",
            "army fell apart",
            "soldiers refused to obey officers",
            "mass desertion from the front",
            "troops went over to the bolsheviks",
            "railway workers stopped the trains",
        ),
    ),
    Criterion(
        key="peace-land-bread",
        text="The slogan peace, land and bread matched what people wanted.",
        phrases=(
            "peace land and bread",
            "promised peace",
            "promised land to the peasants",
            "all power to the soviets",
            "people wanted peace",
            "end the war",
        ),
    ),
]
MISCONCEPTIONS = [
    Criterion(
        key="kornilov-was-bolshevik",
        phrases=("kornilov was a bolshevik", "kornilov supported lenin"),
        feedback="Kornilov was a general who moved against the government.",
    ),
    Criterion(
        key="lenin-led-defence",
        phrases=("lenin led the defence of petrograd", "lenin stopped kornilov"),
        feedback="Lenin was in hiding in Finland during the revolt.",
    ),
]

SENTENCES = [
    "In August 1917 General Kornilov marched his troops towards Petrograd.",
    "Kerensky panicked and armed the Red Guards, and they kept their rifles afterwards.",
    "Bolshevik agitators met the soldiers on the railway and many of them deserted.",
    "Railway workers stopped the trains so the troops never reached the capital.",
    "People saw that the Bolsheviks had defended the city when the government could not.",
    "Kerensky was discredited with the right and the left, and trust in him collapsed.",
    "Soon the Bolsheviks won a majority in the Petrograd soviet and Trotsky became chairman.",
    "Their slogan of peace, land and bread was exactly what the workers wanted to hear.",
    "The Provisional Government looked weak because it had to rely on its enemies.",
    "Lenin was still in hiding, but he wrote that the moment had come to seize power.",
    "Many peasants were already taking the land for themselves in the countryside.",
    "By October the Military Revolutionary Committee controlled the garrison.",
    "This meant that when the Bolsheviks acted there was hardly anyone left to resist.",
    "Some historians argue that the revolt was the turning point of the whole year.",
    "Lenin stopped Kornilov by calling on the workers to defend the revolution.",
]


def make_answer(words: int = 300, seed: int = 1917) -> str:
    """A deterministic answer of about `words` words, with a few spelling slips."""
    rng = random.Random(seed)
    slips = {"Bolsheviks": "Bolshevicks", "government": "goverment", "Kornilov": "Kornilof"}
    parts: list[str] = []
    count = 0
    order: list[str] = []
    while count < words:
        if not order:
            order = rng.sample(SENTENCES, len(SENTENCES))
        sentence = order.pop()
        if rng.random() < 0.3:
            for right, wrong in slips.items():
                sentence = sentence.replace(right, wrong)
        parts.append(sentence)
        count += len(sentence.split())
    return " ".join(parts)


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000, help="answers to mark (default 2000)")
    runs = parser.parse_args().runs

    answer = make_answer()
    builds = []
    for _ in range(200):
        start = time.perf_counter()
        scheme = MarkScheme(POINTS, MISCONCEPTIONS, max_marks=6)
        builds.append(time.perf_counter() - start)

    # Cold: a new scheme each time, so every answer word is compared with the phrases afresh
    # (the stem cache is module-wide and stays warm, as it does in a running server).
    cold = []
    for _ in range(max(1, runs // 10)):
        scheme = MarkScheme(POINTS, MISCONCEPTIONS, max_marks=6)
        start = time.perf_counter()
        mark_answer(scheme, answer)
        cold.append(time.perf_counter() - start)

    scheme = MarkScheme(POINTS, MISCONCEPTIONS, max_marks=6)
    result = mark_answer(scheme, answer)
    warm = []
    for _ in range(runs):
        start = time.perf_counter()
        mark_answer(scheme, answer)
        warm.append(time.perf_counter() - start)

    phrases = sum(len(c.phrases) for c in POINTS + MISCONCEPTIONS)
    print(f"Python {platform.python_version()} on {cpu_name()}")
    print(
        f"scheme: {len(POINTS)} key points, {len(MISCONCEPTIONS)} misconceptions, "
        f"{phrases} phrases; answer: {len(answer.split())} words"
    )
    print(f"made: {[h.key for h in result.points_made]}, mark {result.suggested_mark}")
    print(f"misconceptions: {[h.key for h in result.misconceptions]}")
    print(f"build scheme:        median {statistics.median(builds) * 1e3:.3f} ms")
    for name, times in (("mark (cold scheme)", cold), ("mark (warm scheme)", warm)):
        median = statistics.median(times)
        print(
            f"{name + ':':<20} median {median * 1e3:.3f} ms, p95 "
            f"{percentile(times, 0.95) * 1e3:.3f} ms, {1 / median:,.0f} answers/s "
            f"({len(times)} runs)"
        )


if __name__ == "__main__":
    main()
