"""The optional language model, through LangChain, each use wrapped around its offline counterpart.

Nothing here is created at import time; `build_llm_services(settings, ...)` builds it all once.
"""

from bot.llm.answerer import LLMAnswerer
from bot.llm.client import Budget, FallbackStats, Limits, LLMClient, LLMUnavailable
from bot.llm.drafter import Draft, LLMProposalDrafter
from bot.llm.extractor import LLMExtractor
from bot.llm.grading import AnswerGrader
from bot.llm.judge import LLMJudge
from bot.llm.phraser import LLMQuestionPhraser, OfflinePhraser
from bot.llm.provider import build_chat_model, parse_llm_spec
from bot.llm.services import LLMServices, build_llm_services
from bot.ports import QuestionPhraser
from bot.usage import llm_scope

__all__ = [
    "AnswerGrader",
    "Budget",
    "Draft",
    "FallbackStats",
    "LLMAnswerer",
    "LLMClient",
    "LLMExtractor",
    "LLMJudge",
    "LLMProposalDrafter",
    "LLMQuestionPhraser",
    "LLMServices",
    "LLMUnavailable",
    "Limits",
    "OfflinePhraser",
    "QuestionPhraser",
    "build_chat_model",
    "build_llm_services",
    "llm_scope",
    "parse_llm_spec",
]
