// The smallest useful app on @probot/adapter-aws-lambda-serverless (probot 13), for comparison only:
// it handles the webhook synchronously inside API Gateway's request, as that adapter does.
import { createLambdaFunction, createProbot } from '@probot/adapter-aws-lambda-serverless';

const app = (probotApp) => {
  probotApp.on('pull_request.opened', async (context) => {
    await context.octokit.rest.issues.createComment(context.issue({ body: 'planned' }));
  });
};

export const handler = createLambdaFunction(app, { probot: createProbot() });
