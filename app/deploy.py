"""Checks a production deployment must pass (``cunqi check-deploy``)."""

from app.config import MIN_SECRET_LENGTH, Settings


def deployment_problems(settings: Settings) -> list[str]:
    """What is unsafe about these settings for production, in Chinese; empty when all is well."""
    if not settings.is_production:
        return ["CUNQI_ENVIRONMENT 不是 production：当前为开发环境配置"]
    problems = []
    if settings.debug:
        problems.append("调试模式已开启（CUNQI_DEBUG），生产环境必须关闭")
    if len(settings.secret_key) < MIN_SECRET_LENGTH:
        problems.append(f"密钥过短（CUNQI_SECRET_KEY），至少 {MIN_SECRET_LENGTH} 个字符")
    if not settings.secure_cookies:
        problems.append(
            "会话 Cookie 未设置 Secure（CUNQI_COOKIE_SECURE），生产环境必须仅经 HTTPS 发送"
        )
    if settings.graphiql_enabled:
        problems.append("GraphiQL 调试界面已开启（CUNQI_GRAPHIQL），生产环境必须关闭")
    if settings.introspection_enabled:
        problems.append("GraphQL 内省已开启（CUNQI_INTROSPECTION），生产环境必须关闭")
    return problems
