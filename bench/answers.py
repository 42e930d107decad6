"""What the bench's students type: a few sentences of a short answer on the Kornilov revolt.

Shared by the locust scenario and the in-process turn-in timing of run.py (which must not
import locust: it patches the standard library for gevent on import).
"""

import random

SENTENCES = [
    "Kornilov marched his troops towards Petrograd at the end of August.",
    "Kerensky panicked and armed the Red Guards, who kept their rifles afterwards.",
    "Bolshevik agitators met the soldiers on the railway and many of them deserted.",
    "Railway workers stopped the trains so the troops never reached the capital.",
    "People saw that the Bolsheviks had defended the city when the government could not.",
    "Kerensky was discredited with both the right and the left.",
    "Soon the Bolsheviks won a majority in the Petrograd soviet and Trotsky became chairman.",
    "Their slogan of peace, land and bread was what the workers wanted to hear.",
    "The Provisional Government looked weak because it had to rely on its enemies.",
    "Lenin was still in hiding, but he wrote that the moment had come to seize power.",
]


def answer_text(rng: random.Random) -> str:
    """Two to five sentences: a short-answer paragraph a student might have typed so far."""
    return " ".join(rng.sample(SENTENCES, rng.randint(2, 5)))
