from shuangfang.core.matrix import Case

OPERATORS = frozenset({"admin"})  # the city bureau's administrator: the top of the tree

CASES = [
    Case("core:outbox", OPERATORS),
    Case("core:outbox", OPERATORS, method="post", data=lambda w: {"retry": []}),
]
